from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class AccessConfig(AppConfig):
    name = "matis.access"
    label = "access"
    verbose_name = _("Access and audit")
    # ``matis demo`` calls these in order (see matis.common.demo).
    demo_loader = "matis.access.demo.load_demo"
    demo_order = 10
    nav_items = (
        NavItem("access:agency_list", _("Agencies"), "access.view_agencies"),
        NavItem("access:user_list", _("Users"), "access.manage_users"),
        NavItem("access:audit_list", _("Audit log"), "access.view_audit_log"),
    )

    def ready(self):
        from matis.access import signals  # noqa: F401
