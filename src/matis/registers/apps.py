from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class RegistersConfig(AppConfig):
    name = "matis.registers"
    label = "registers"
    verbose_name = _("Programme registers")
    demo_loader = "matis.registers.demo.load_demo"
    demo_order = 35
    nav_items = (NavItem("registers:index", _("Registers"), "registers.view_records"),)

    def ready(self):
        from matis.registers.inbox import register_inbox_sources

        register_inbox_sources()

        from matis.registers.indicators import register_providers

        register_providers()
