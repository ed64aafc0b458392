from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class AnalyticsConfig(AppConfig):
    name = "matis.analytics"
    label = "analytics"
    verbose_name = _("Research analytics")
    demo_loader = "matis.analytics.demo.load_demo"
    demo_order = 70
    demo_background = True  # prepared by the background worker after the demo answers
    nav_items = (NavItem("analytics:analysis_list", _("Analyses"), "analytics.view_analyses"),)

    def ready(self):
        from matis.analytics import app_sources, sources

        sources.register_builtin_sources()
        app_sources.register_app_sources()
