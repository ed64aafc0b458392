from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class IntakeConfig(AppConfig):
    name = "matis.intake"
    label = "intake"
    verbose_name = _("Tips and rescues")
    demo_loader = "matis.intake.demo.load_demo"
    demo_order = 55
    nav_items = (NavItem("intake:tip_list", _("Tips"), "intake.view_tips"),)

    def ready(self):
        from matis.intake.inbox import register_inbox_sources

        register_inbox_sources()
