"""The main menu, gathered from each app's ``nav_items`` (url name, label, roles or None)."""

from __future__ import annotations

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def nav_items_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    for config in apps.get_app_configs():
        for url_name, label, roles in getattr(config, "nav_items", ()):
            if roles is not None and not user.has_role(*roles):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append(
                {"url": url, "label": label, "active": request.path.startswith(url) and url != "/"}
            )
    return items
