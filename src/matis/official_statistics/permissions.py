"""Who may do what with official statistics (one condition per line, so tests see each branch)."""

from __future__ import annotations

from matis.access.models import Role

EDITOR_ROLES = (Role.STATISTICS_OFFICER, Role.TASK_FORCE_OFFICER, Role.ADMINISTRATOR)


def can_edit_country(user, country_id: str | None) -> bool:
    """Import, edit, comment, submit: a national statistics role of that very country."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.country_id is None:
        return False  # region-wide users read approved data; national data is national
    if user.country_id != country_id:
        return False
    return user.has_role(*EDITOR_ROLES)


def can_approve(user, submission) -> bool:
    """Approve or return: an editor of the country who did not submit it (four eyes)."""
    if not can_edit_country(user, submission.country_id):
        return False
    return submission.submitted_by_id != user.pk


def can_unlock(user, submission) -> bool:
    """Reopen an approved submission: the country's administrator."""
    if not can_edit_country(user, submission.country_id):
        return False
    return user.has_role(Role.ADMINISTRATOR)
