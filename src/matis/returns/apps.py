from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class ReturnsConfig(AppConfig):
    name = "matis.returns"
    label = "returns"
    verbose_name = _("Return and reintegration")
    demo_loader = "matis.returns.demo.load_demo"
    demo_order = 55
    demo_background = True  # prepared by the background worker after the demo answers
    nav_items = (NavItem("returns:list", _("Returns"), "returns.view_returns"),)

    def ready(self) -> None:
        from matis.returns.inbox import register_inbox_sources

        register_inbox_sources()

        # The return item kinds of the country-to-country relay (matis.returns.relay).
        from matis.returns import relay

        relay.register_kinds()
