from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "matis.access"
    label = "access"
    verbose_name = _("Access and audit")
    # ``matis demo`` calls these in order (see matis.common.demo).
    demo_loader = "matis.access.demo.load_demo"
    demo_order = 10
    nav_items = (
        ("access:agency_list", _("Agencies"), None),
        ("access:user_list", _("Users"), ("administrator",)),
        ("access:audit_list", _("Audit log"), ("auditor", "administrator")),
    )

    def ready(self):
        from matis.access import signals  # noqa: F401
