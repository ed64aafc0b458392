from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class MonitoringConfig(AppConfig):
    name = "matis.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")
    demo_loader = "matis.monitoring.demo.load_demo"
    demo_order = 40
    nav_items = (
        NavItem("monitoring:dashboard", _("Dashboards"), "monitoring.view_dashboards"),
        NavItem("monitoring:report_list", _("Progress reports"), "monitoring.view_reports"),
        NavItem("monitoring:npa_list", _("National plans"), "monitoring.view_npa"),
        NavItem("monitoring:indicator_values", _("Indicators"), "monitoring.view_indicators"),
    )

    def ready(self):
        from matis.monitoring.inbox import register_inbox_sources

        register_inbox_sources()

        from matis.monitoring.providers import register_builtin_providers

        register_builtin_providers()
