from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class JusticeConfig(AppConfig):
    name = "matis.justice"
    label = "justice"
    verbose_name = _("Justice")
    demo_loader = "matis.justice.demo.load_demo"
    demo_order = 56
    demo_background = True  # prepared by the background worker after the demo answers
    nav_items = (NavItem("justice:list", _("Criminal cases"), "justice.view_criminal_cases"),)
