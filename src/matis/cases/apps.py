from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "matis.cases"
    label = "cases"
    verbose_name = _("Cases")
    demo_loader = "matis.cases.demo.load_demo"
    demo_order = 50
    nav_items = (
        ("cases:case_list", _("Cases"), ("case_worker", "case_supervisor", "justice_officer")),
        ("cases:referral_list", _("Referrals"), ("case_worker", "case_supervisor")),
        ("cases:alert_list", _("Alerts"), ("case_supervisor",)),
        ("cases:detention_register", _("Detention register"), ("case_supervisor",)),
        ("cases:directory", _("Service directory"), ("case_worker", "case_supervisor")),
    )

    def ready(self):
        from matis.cases import checks  # noqa: F401 - registers the key check
