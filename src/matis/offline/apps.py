from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class OfflineConfig(AppConfig):
    name = "matis.offline"
    label = "offline"
    verbose_name = _("Offline capture")
    nav_items = (
        NavItem("offline:page", _("Offline capture"), "cases.register_case"),
        NavItem(
            "offline:devices",
            _("Devices for offline capture"),
            ("cases.register_case", "access.manage_users"),  # as the page checks
        ),
    )
