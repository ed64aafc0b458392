"""The work inbox's sources: what awaits a user, gathered from each app without importing it.

An app that has work for its users registers a *source* from its
``AppConfig.ready()``; the inbox (``matis.inbox``), the home page and the menu
ask every source the same two questions, so this module imports no domain app::

    from matis.common.inbox import InboxItem, register_source

    def referrals_to_answer(user, *, today):   # through the referral page's gate
        return Referral.objects.filter(referral_answer_filter(user), status="pending")

    register_source(
        "cases.referrals",
        label=_("Referrals to answer"),
        permission="cases.view_referrals",   # the user-level row the page checks
        rows=referrals_to_answer,
        describe=lambda referral: InboxItem(key=f"cases.referrals:{referral.pk}", ...),
        url_name="cases:referral_list",
    )

(``src/matis/cases/inbox.py`` is the full version.)

``rows(user, *, today)`` returns a queryset (or list) of the records that
await ``user``. It must use the same access rules as the page that lists
them (the app's gate or scoped selector), so the inbox never shows what that
page would not. ``describe(row)`` turns one record into an :class:`InboxItem`
carrying **no personal data**: a title built from reference data (a country,
an agency, a kind), a date and a link. The counts and items are what the
inbox page, the home page and the menu show; mails carry the counts only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone


class InboxSourceError(LookupError):
    """A source code registered twice with different functions, or not registered."""


@dataclass(frozen=True)
class InboxItem:
    """One thing awaiting the user: a title without personal data, a date, a link."""

    key: str  # stable across runs: "<source>:<record id>" (immediate mails use it)
    title: Any
    url: str
    on: dt.date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class InboxSource:
    """One kind of work (reports to review, referrals to answer...) and how to find it."""

    code: str
    label: Any
    permission: str
    rows: Callable[..., QuerySet | Iterable]
    describe: Callable[[Any], InboxItem]
    url_name: str
    order: int = 100

    def shown_to(self, user) -> bool:
        from matis.access.permissions import has_perm

        return has_perm(user, self.permission)

    def records(self, user, *, today: dt.date):
        return self.rows(user, today=today)

    def count(self, user, *, today: dt.date) -> int:
        rows = self.records(user, today=today)
        return rows.count() if isinstance(rows, QuerySet) else len(list(rows))

    def items(self, user, *, today: dt.date, limit: int | None = None) -> list[InboxItem]:
        rows = self.records(user, today=today)
        if limit is not None:
            rows = rows[:limit] if isinstance(rows, QuerySet) else list(rows)[:limit]
        return [self.describe(row) for row in rows]

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


_SOURCES: dict[str, InboxSource] = {}


def register_source(
    code: str,
    *,
    label: Any,
    permission: str,
    rows: Callable[..., QuerySet | Iterable],
    describe: Callable[[Any], InboxItem],
    url_name: str,
    order: int = 100,
) -> InboxSource:
    """Register one kind of work for the inbox (see the module docstring)."""
    source = InboxSource(
        code=code,
        label=label,
        permission=permission,
        rows=rows,
        describe=describe,
        url_name=url_name,
        order=order,
    )
    existing = _SOURCES.get(code)
    if existing is not None and (existing.rows, existing.describe) != (rows, describe):
        raise InboxSourceError(f"an inbox source is already registered as {code!r}")
    _SOURCES[code] = source
    return source


def unregister_source(code: str) -> None:
    _SOURCES.pop(code, None)


def registered_sources() -> list[InboxSource]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.code))


def get_source(code: str) -> InboxSource:
    try:
        return _SOURCES[code]
    except KeyError:
        raise InboxSourceError(f"no inbox source registered as {code!r}") from None


@dataclass
class InboxSection:
    """One source's share of a user's inbox: its label, count, link and first items."""

    source: InboxSource
    count: int
    items: list[InboxItem] = field(default_factory=list)

    @property
    def label(self):
        return self.source.label

    @property
    def url(self) -> str:
        return self.source.url


def sources_for(user) -> list[InboxSource]:
    """The sources whose page ``user`` may open (the same permission the page checks)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [source for source in registered_sources() if source.shown_to(user)]


def inbox_counts(user, *, today: dt.date | None = None) -> dict[str, int]:
    """Source code -> number of records awaiting ``user`` (sources with none left out)."""
    today = today or timezone.localdate()
    counts = {}
    for source in sources_for(user):
        n = source.count(user, today=today)
        if n:
            counts[source.code] = n
    return counts


def inbox_total(user, *, today: dt.date | None = None) -> int:
    return sum(inbox_counts(user, today=today).values())


def inbox_sections(
    user, *, today: dt.date | None = None, limit: int | None = 20
) -> list[InboxSection]:
    """The non-empty sections of ``user``'s inbox, each with up to ``limit`` items.

    Also keeps the total for the menu of the same request (:func:`menu_count`), so a
    page showing the sections and the menu shows one number, counted once.
    """
    today = today or timezone.localdate()
    sections = []
    for source in sources_for(user):
        n = source.count(user, today=today)
        if n:
            sections.append(InboxSection(source, n, source.items(user, today=today, limit=limit)))
    if getattr(user, "is_authenticated", False):
        setattr(user, _TOTAL_ATTRIBUTE, sum(s.count for s in sections))
    return sections


# The total is kept on the user object, which lives as long as one request: the menu,
# the home page and the inbox page of one request count once and agree. It is not kept
# across requests, so the menu never shows a stale number. A source should count with a
# fixed number of queries whatever the number of rows (the returns source also checks
# the consent of each overdue return addressed to the user's country).
_TOTAL_ATTRIBUTE = "_matis_inbox_total"


def menu_count(user) -> int:
    """The number of items in ``user``'s inbox, for the menu (counted once per request)."""
    total = getattr(user, _TOTAL_ATTRIBUTE, None)
    if total is None:
        total = inbox_total(user)
        setattr(user, _TOTAL_ATTRIBUTE, total)
    return total


def inbox_keys(user, *, today: dt.date | None = None) -> dict[str, set[str]]:
    """Source code -> the keys of every item awaiting ``user`` (for "new since last time")."""
    today = today or timezone.localdate()
    keys = {}
    for source in sources_for(user):
        found = {item.key for item in source.items(user, today=today)}
        if found:
            keys[source.code] = found
    return keys
