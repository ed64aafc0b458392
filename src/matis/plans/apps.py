from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class PlansConfig(AppConfig):
    name = "matis.plans"
    label = "plans"
    verbose_name = _("Plan registry")
    demo_loader = "matis.plans.loader.load_registry_for_demo"
    demo_order = 5
    nav_items = (NavItem("plans:overview", _("Plan"), "plans.view_plan"),)
