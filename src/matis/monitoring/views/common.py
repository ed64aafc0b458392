"""Helpers shared by the monitoring views."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from matis.monitoring import selectors


def error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [f"{m}" for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


def pick_country(request) -> str | None:
    """The country a page is about: the user's own, or the one a region-wide user picked."""
    if not request.user.is_region_wide:
        return request.user.country_id
    wanted = (request.GET.get("country") or "").upper()
    countries = [c.iso3 for c in selectors.countries_for(request.user)]
    return wanted if wanted in countries else None
