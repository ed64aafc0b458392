from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "matis.exchange"
    label = "exchange"
    verbose_name = _("Cross-border exchange")
    demo_loader = "matis.exchange.demo.load_demo"
    demo_order = 90
    nav_items = (
        (
            "exchange:outbox",
            _("Exchange"),
            ("task_force_officer", "statistics_officer", "administrator", "auditor"),
        ),
        ("exchange:alert_list", _("Re-trafficking alerts"), ("case_worker", "case_supervisor")),
        ("exchange:hub_overview", _("Regional hub"), ("secretariat_analyst",)),
    )
