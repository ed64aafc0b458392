from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class CasesConfig(AppConfig):
    name = "matis.cases"
    label = "cases"
    verbose_name = _("Cases")
    demo_loader = "matis.cases.demo.load_demo"
    demo_order = 50
    nav_items = (
        NavItem("cases:case_list", _("Cases"), "cases.view_cases"),
        NavItem("cases:referral_list", _("Referrals"), "cases.view_referrals"),
        NavItem("cases:alert_list", _("Alerts"), "cases.supervise_cases"),
        NavItem("cases:detention_register", _("Detention register"), "cases.supervise_cases"),
        NavItem("cases:directory", _("Service directory"), "cases.view_directory"),
    )

    def ready(self):
        from matis.cases.inbox import register_inbox_sources

        register_inbox_sources()

        from matis.cases import checks  # noqa: F401 - registers the key check
