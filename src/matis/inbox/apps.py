from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class InboxConfig(AppConfig):
    name = "matis.inbox"
    label = "inbox"
    verbose_name = _("Work inbox")
    nav_items = (
        NavItem(
            "inbox:index",
            _("Inbox"),
            "inbox.view_inbox",
            badge="matis.common.inbox.menu_count",
        ),
    )
