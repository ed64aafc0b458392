from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class ApiClientsConfig(AppConfig):
    name = "matis.apiclients"
    label = "apiclients"
    verbose_name = _("API clients")
    nav_items = (NavItem("apiclients:client_list", _("API clients"), "access.manage_users"),)

    def ready(self):
        from matis.apiclients import schema  # noqa: F401  (registers the OpenAPI token scheme)
