from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class ReportsConfig(AppConfig):
    name = "matis.reports"
    label = "reports"
    verbose_name = _("Reports")
    demo_loader = "matis.reports.demo.load_demo"
    demo_order = 60
    demo_background = True  # prepared by the background worker after the demo answers
    nav_items = (NavItem("reports:report_list", _("Annual reports"), "reports.view_reports"),)
