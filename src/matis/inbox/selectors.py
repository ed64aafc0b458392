"""Reads of the inbox: what awaits a user (from the sources in :mod:`matis.common.inbox`)."""

from __future__ import annotations

from matis.common.inbox import inbox_sections, menu_count
from matis.inbox.models import Frequency, NotificationPreference

__all__ = ["frequency_of", "menu_count", "sections_for"]


def sections_for(user, *, today=None, limit: int | None = 50):
    """The non-empty sections of ``user``'s inbox (each source through its own gate)."""
    return inbox_sections(user, today=today, limit=limit)


def frequency_of(user) -> str:
    """The user's choice of inbox mail (the daily digest when none was made)."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.frequency if preference else Frequency.DAILY
