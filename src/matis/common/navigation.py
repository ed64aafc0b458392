"""The main menu, gathered from each app's ``nav_items``: it offers only what the user may open.

Each item names the permission its page checks (a row of
:data:`matis.access.permissions.PERMISSIONS`), so the menu and the page give
the same answer. ``available`` is the dotted path of a function that says
whether the page exists on this instance at all (the hub pages run only on
the hub). ``badge`` is the dotted path of a function giving a count to show
beside the label (the number of items in the user's inbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class NavItem:
    """One menu entry: the page's URL name, its label, and the permission it needs."""

    url_name: str
    label: Any
    # The permission the page checks; a tuple when the page lets in holders of any of them.
    permission: str | tuple[str, ...]
    available: str | None = None
    # Dotted path of ``f(user) -> int``: a count shown beside the label (the inbox's).
    badge: str | None = None

    def shown_to(self, user) -> bool:
        # Imported here: AppConfig modules declare NavItems before any model can load.
        from matis.access.permissions import has_perm

        wanted = (self.permission,) if isinstance(self.permission, str) else self.permission
        if not any(has_perm(user, permission) for permission in wanted):
            return False
        return self.available is None or bool(import_string(self.available)())


def nav_items_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    for config in apps.get_app_configs():
        for item in getattr(config, "nav_items", ()):
            if not item.shown_to(user):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            items.append(
                {
                    "url_name": item.url_name,
                    "url": url,
                    "label": item.label,
                    "active": request.path.startswith(url) and url != "/",
                    "badge": import_string(item.badge)(user) if item.badge else None,
                }
            )
    return items
