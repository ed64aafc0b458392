from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "matis.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")
    demo_loader = "matis.monitoring.demo.load_demo"
    demo_order = 40
    nav_items = (
        ("monitoring:dashboard", _("Dashboards"), None),
        (
            "monitoring:report_list",
            _("Progress reports"),
            (
                "task_force_officer",
                "secretariat_analyst",
                "statistics_officer",
                "auditor",
                "administrator",
            ),
        ),
        ("monitoring:npa_list", _("National plans"), None),
        ("monitoring:indicator_values", _("Indicators"), None),
    )

    def ready(self):
        from matis.monitoring.providers import register_builtin_providers

        register_builtin_providers()
