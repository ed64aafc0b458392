"""Downloads of dashboard tables: written as CSV or Excel and audited."""

from __future__ import annotations

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.monitoring.tables import Table, to_csv, to_xlsx

FORMATS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}


def table_export(*, actor: User, table: Table, fmt: str, **detail) -> tuple[bytes, str]:
    """The table as ``fmt`` bytes and their content type; the export is audited."""
    content_type, writer = FORMATS[fmt]
    data = writer(table)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="monitoring.table",
        object_id=table.name,
        format=fmt,
        rows=len(table.rows),
        **detail,
    )
    return data, content_type
