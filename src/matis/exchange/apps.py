from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class ExchangeConfig(AppConfig):
    name = "matis.exchange"
    label = "exchange"
    verbose_name = _("Cross-border exchange")
    demo_loader = "matis.exchange.demo.load_demo"
    demo_order = 90
    demo_background = True  # prepared by the background worker after the demo answers
    metrics_collector = "matis.exchange.metrics.collect"
    nav_items = (
        NavItem("exchange:outbox", _("Exchange"), "exchange.view_outbox"),
        NavItem("exchange:alert_list", _("Re-trafficking alerts"), "exchange.view_alerts"),
        NavItem(
            "exchange:hub_overview",
            _("Regional hub"),
            "exchange.view_hub",
            available="matis.exchange.conf.is_hub",
        ),
    )

    def ready(self):
        from matis.exchange.inbox import register_inbox_sources

        register_inbox_sources()
