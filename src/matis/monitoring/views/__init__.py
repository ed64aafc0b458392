"""Monitoring pages. Views check input and access, call one service or selector, render."""

from matis.monitoring.views.dashboards import dashboard, dashboard_download
from matis.monitoring.views.indicators import indicator_values
from matis.monitoring.views.npa import npa_create, npa_detail, npa_edit, npa_list
from matis.monitoring.views.periods import periods, rates
from matis.monitoring.views.reports import (
    evidence_delete,
    evidence_download,
    evidence_upload,
    report_detail,
    report_edit,
    report_list,
    report_transition,
    reports_prepare,
)
from matis.monitoring.views.workbook import workbook_download, workbook_upload

__all__ = [
    "dashboard",
    "dashboard_download",
    "evidence_delete",
    "evidence_download",
    "evidence_upload",
    "indicator_values",
    "npa_create",
    "npa_detail",
    "npa_edit",
    "npa_list",
    "periods",
    "rates",
    "report_detail",
    "report_edit",
    "report_list",
    "report_transition",
    "reports_prepare",
    "workbook_download",
    "workbook_upload",
]
