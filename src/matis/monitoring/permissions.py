"""Who may do what in monitoring. One condition per line, so tests cover every branch."""

from __future__ import annotations

from matis.access.models import Role


def is_secretariat(user) -> bool:
    """A region-wide secretariat analyst: reviews and approves, keeps periods and rates."""
    if not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    if user.role != Role.SECRETARIAT_ANALYST:
        return False
    return user.country_id is None


def reports_for_country(user, country_id: str | None) -> bool:
    """A task force officer of ``country_id``: edits and submits that country's reports."""
    if not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    if user.role != Role.TASK_FORCE_OFFICER:
        return False
    return country_id is not None and user.country_id == country_id
