"""Who may do what: the one table of roles x permissions, and :func:`has_perm` to ask it.

Every check in MATIS names a permission (``"cases.view_cases"``,
``"statistics.approve_submission"``...) and asks :func:`has_perm`; nobody tests
``user.role`` against a list of roles of their own. The table is data: roles,
scopes and small conditions on the user and, for object-level permissions, on
the object (or its country code). It imports no domain app.

Two kinds of rows:

- **user-level**: roles plus a scope (``NATIONAL`` users have a country,
  ``REGION`` users do not). ``has_perm(user, name)`` answers it; the main menu
  uses these.
- **object-level** (``obj`` required): a user-level rule plus a condition on
  the object, for instance "of the user's own country". ``obj`` is a country
  code, ``None``, or anything with a ``country_id``. The condition is always
  evaluated, so ``has_perm(user, "monitoring.edit_report", None)`` is False.

Every row is also classified **read** or **write** (:func:`read` / :func:`write`
around its rule): a write changes data or grants access. The auditor role holds
reads only; ``tests/matis/hardening`` checks it row by row.

Why not Django's ``user.has_perm``: it lets every superuser through every
check, and case records must stay closed to administrators. Here a superuser
passes only rows marked ``superuser=True`` (administrative pages, where the
Django superuser has always been let in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from matis.access.models import Role

ANY_SCOPE = "any"
NATIONAL = "national"  # the user works for one country
REGION = "region"  # the user works region-wide (no country)

READ = "read"  # the row lets a user see something
WRITE = "write"  # the row lets a user change data or grant access

ObjectCheck = Callable[[Any, Any], bool]


def country_of(obj) -> str | None:
    """The country code an object-level check is about: a code, None, or ``obj.country_id``."""
    if obj is None or isinstance(obj, str):
        return obj
    return obj.country_id


def own_country(user, obj) -> bool:
    """The object belongs to the user's own country (a missing country never does)."""
    country = country_of(obj)
    return country is not None and country == user.country_id


def visible_country(user, obj) -> bool:
    """The user may see data of the object's country (region-wide users: every country)."""
    return user.can_see_country(country_of(obj))


def writable_country(user, obj) -> bool:
    """Own country's rows; rows of no country (regional) only for region-wide users."""
    country = country_of(obj)
    if country is None:
        return user.is_region_wide
    return user.can_see_country(country)


def not_submitter(user, obj) -> bool:
    """Four eyes: the one who submitted does not approve."""
    return obj.submitted_by_id != user.pk


def created_by_user(user, obj) -> bool:
    """The object was made by the user (an analysis: the analyst who ran it)."""
    return obj is not None and getattr(obj, "created_by_id", None) == user.pk


@dataclass(frozen=True)
class Rule:
    """One row of the table: who (roles, scope) and, if any, a condition on the object.

    ``roles`` None means every role. ``needs_agency``: the user must belong to
    an agency. ``checks`` are object conditions, all of which must hold.
    ``superuser``: a Django superuser passes the role condition (not the scope
    or the object conditions). ``kind``: :data:`READ` or :data:`WRITE`, set
    in the table with :func:`read` / :func:`write`.
    """

    roles: frozenset[str] | None
    scope: str = ANY_SCOPE
    checks: tuple[ObjectCheck, ...] = ()
    needs_agency: bool = False
    superuser: bool = False
    kind: str = ""

    def allows(self, user, obj=None) -> bool:
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if not user.is_active:
            return False
        if self.scope == NATIONAL and user.country_id is None:
            return False
        if self.scope == REGION and user.country_id is not None:
            return False
        if not self._role_allows(user):
            return False
        if self.needs_agency and user.agency_id is None:
            return False
        return all(check(user, obj) for check in self.checks)

    def _role_allows(self, user) -> bool:
        if self.roles is None:
            return True
        if self.superuser and user.is_superuser:
            return True
        return user.role in self.roles

    @property
    def object_level(self) -> bool:
        return bool(self.checks)


@dataclass(frozen=True)
class AnyOf:
    """A row that more than one kind of user holds (each by its own rule)."""

    rules: tuple[Rule, ...]
    kind: str = ""

    def allows(self, user, obj=None) -> bool:
        return any(rule.allows(user, obj) for rule in self.rules)

    @property
    def roles(self) -> frozenset[str] | None:
        named = [rule.roles for rule in self.rules]
        return None if None in named else frozenset().union(*named)

    @property
    def object_level(self) -> bool:
        return any(rule.object_level for rule in self.rules)


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


def read(rule: Rule | AnyOf) -> Rule | AnyOf:
    """The row only lets its holders see something."""
    return replace(rule, kind=READ)


def write(rule: Rule | AnyOf) -> Rule | AnyOf:
    """The row lets its holders change data (or grant access): never the auditor's."""
    return replace(rule, kind=WRITE)


R = Role
EVERYONE = Rule(roles=None)
CASE_ROLES = _roles(R.CASE_WORKER, R.CASE_SUPERVISOR, R.JUSTICE_OFFICER)
CASE_EDITORS = _roles(R.CASE_WORKER, R.CASE_SUPERVISOR)
SECRETARIAT = Rule(_roles(R.SECRETARIAT_ANALYST), REGION)
TASK_FORCE_OF_COUNTRY = Rule(_roles(R.TASK_FORCE_OFFICER), NATIONAL, (own_country,))
STATISTICS_EDITORS = _roles(R.STATISTICS_OFFICER, R.TASK_FORCE_OFFICER, R.ADMINISTRATOR)
REGISTER_WRITERS = _roles(R.TASK_FORCE_OFFICER, R.SECRETARIAT_ANALYST, R.ADMINISTRATOR)
ANALYSTS = _roles(
    R.SECRETARIAT_ANALYST, R.STATISTICS_OFFICER, R.TASK_FORCE_OFFICER, R.JUSTICE_OFFICER
)
EXCHANGE_OUTBOX_ROLES = _roles(R.TASK_FORCE_OFFICER, R.STATISTICS_OFFICER, R.ADMINISTRATOR)
ASSESSMENT_WRITERS = _roles(R.TASK_FORCE_OFFICER, R.STATISTICS_OFFICER, R.JUSTICE_OFFICER)

# The table. Keep one row per permission; group by app; say why where it is not obvious.
# Every row is read(...) or write(...); the auditor holds reads only.
PERMISSIONS: dict[str, Rule | AnyOf] = {
    # --- access: users, agencies, audit log
    "access.view_agencies": read(EVERYONE),
    "access.manage_users": write(Rule(_roles(R.ADMINISTRATOR), superuser=True)),
    "access.view_audit_log": read(Rule(_roles(R.AUDITOR, R.ADMINISTRATOR), superuser=True)),
    # --- inbox: every user has one; each source inside applies its own page's rule
    "inbox.view_inbox": read(EVERYONE),
    # --- plans
    "plans.view_plan": read(EVERYONE),
    # --- monitoring: progress reports, NPA, indicators, periods
    "monitoring.view_dashboards": read(EVERYONE),
    "monitoring.view_reports": read(
        Rule(
            _roles(
                R.TASK_FORCE_OFFICER,
                R.SECRETARIAT_ANALYST,
                R.STATISTICS_OFFICER,
                R.AUDITOR,
                R.ADMINISTRATOR,
            ),
            superuser=True,
        )
    ),
    "monitoring.view_npa": read(EVERYONE),
    "monitoring.view_indicators": read(EVERYONE),
    # A task force officer edits and submits her or his own country's reports, NPA, values.
    "monitoring.edit_report": write(TASK_FORCE_OF_COUNTRY),
    # The region-wide secretariat reviews and approves, keeps periods, rates and targets.
    "monitoring.review_report": write(SECRETARIAT),
    "monitoring.manage_periods": write(SECRETARIAT),
    "monitoring.refresh_indicators": write(SECRETARIAT),
    # --- reports: the annual monitoring report
    "reports.view_reports": read(EVERYONE),
    # The secretariat prepares any report; a task force officer her or his country's.
    "reports.request_report": write(AnyOf((SECRETARIAT, TASK_FORCE_OF_COUNTRY))),
    "reports.publish_report": write(SECRETARIAT),
    # releasing official statistics and reports to the public site (matis.publication)
    "publication.release": write(SECRETARIAT),
    # --- official statistics: national data is edited nationally
    "statistics.view_statistics": read(EVERYONE),
    "statistics.view_submissions": read(EVERYONE),
    "statistics.edit_submission": write(
        Rule(STATISTICS_EDITORS, NATIONAL, (own_country,), superuser=True)
    ),
    "statistics.approve_submission": write(
        Rule(STATISTICS_EDITORS, NATIONAL, (own_country, not_submitter), superuser=True)
    ),
    "statistics.unlock_submission": write(
        Rule(_roles(R.ADMINISTRATOR), NATIONAL, (own_country,), superuser=True)
    ),
    # --- cases: personal data, never region-wide, never by superuser status
    "cases.view_cases": read(Rule(CASE_ROLES, NATIONAL)),
    "cases.register_case": write(Rule(CASE_EDITORS, NATIONAL, needs_agency=True)),
    "cases.view_referrals": read(Rule(CASE_EDITORS, NATIONAL)),
    "cases.view_directory": read(Rule(CASE_EDITORS, NATIONAL)),
    # Supervision resolves alerts; break-the-glass grants access: both are writes.
    "cases.supervise_cases": write(Rule(_roles(R.CASE_SUPERVISOR), NATIONAL)),
    "cases.break_glass": write(Rule(_roles(R.CASE_SUPERVISOR, R.JUSTICE_OFFICER), NATIONAL)),
    # --- intake: tips and group registrations hold personal data like cases
    "intake.view_tips": read(Rule(CASE_EDITORS, NATIONAL)),
    "intake.record_tip": write(Rule(CASE_EDITORS, NATIONAL, needs_agency=True)),
    # The supervisor triages: refers to law enforcement, converts into cases, closes.
    "intake.triage_tips": write(Rule(_roles(R.CASE_SUPERVISOR), NATIONAL)),
    "intake.register_group": write(Rule(CASE_EDITORS, NATIONAL, needs_agency=True)),
    # --- returns: the receiving side is the named agency's workers and the supervisors
    "returns.view_returns": read(Rule(CASE_EDITORS, NATIONAL)),
    # --- justice
    "justice.view_criminal_cases": read(Rule(_roles(R.JUSTICE_OFFICER), NATIONAL)),
    "justice.edit_criminal_case": write(Rule(_roles(R.JUSTICE_OFFICER), NATIONAL, (own_country,))),
    # --- registers (training, agreements, units...)
    "registers.view_records": read(EVERYONE),
    "registers.add_record": write(Rule(REGISTER_WRITERS, superuser=True)),
    "registers.change_record": write(
        Rule(REGISTER_WRITERS, checks=(writable_country,), superuser=True)
    ),
    # --- exchange: national outbox, hub, re-trafficking alerts
    # The auditor sees the outbox but never changes it (issue 13, finding 15).
    "exchange.view_outbox": read(Rule(EXCHANGE_OUTBOX_ROLES | {R.AUDITOR}, superuser=True)),
    "exchange.requeue_outbox": write(Rule(EXCHANGE_OUTBOX_ROLES, superuser=True)),
    "exchange.view_hub": read(
        Rule(_roles(R.SECRETARIAT_ANALYST, R.ADMINISTRATOR, R.AUDITOR), REGION, superuser=True)
    ),
    "exchange.view_alerts": read(Rule(CASE_EDITORS, NATIONAL)),
    "exchange.decide_alert": write(Rule(CASE_EDITORS, superuser=True)),
    # --- cooperation: detention notices (PRO2), assessments (P&C5), SOM/IMM decisions
    # Notices name detained persons: case workers and supervisors of the country only.
    "cooperation.view_detention_notices": read(Rule(CASE_EDITORS, NATIONAL)),
    "cooperation.send_detention_notice": write(
        Rule(CASE_EDITORS, NATIONAL, (own_country,), needs_agency=True)
    ),
    "cooperation.follow_up_detention": write(Rule(CASE_EDITORS, NATIONAL, (own_country,))),
    "cooperation.view_assessments": read(Rule(ASSESSMENT_WRITERS | {R.AUDITOR}, NATIONAL)),
    "cooperation.write_assessment": write(Rule(ASSESSMENT_WRITERS, NATIONAL, (own_country,))),
    "cooperation.approve_assessment": write(
        Rule(ASSESSMENT_WRITERS, NATIONAL, (own_country, not_submitter))
    ),
    "cooperation.view_decisions": read(EVERYONE),
    "cooperation.record_decision": write(SECRETARIAT),
    "cooperation.track_decisions": read(
        Rule(_roles(R.SECRETARIAT_ANALYST, R.ADMINISTRATOR, R.AUDITOR), REGION, superuser=True)
    ),
    "cooperation.report_action_status": write(TASK_FORCE_OF_COUNTRY),
    # --- analytics
    "analytics.view_analyses": read(EVERYONE),
    # An analysis's own tables, summary and chart can hold cells of 1 to 4 built from
    # case records: only the analyst who ran it sees them; everyone else sees the
    # published (suppressed) tables once there are any (issue 13, finding 8).
    "analytics.view_raw_results": read(Rule(ANALYSTS, checks=(created_by_user,), superuser=True)),
    "analytics.run_analysis": write(Rule(ANALYSTS, superuser=True)),
    "analytics.publish_analysis": write(
        Rule(
            _roles(R.SECRETARIAT_ANALYST, R.STATISTICS_OFFICER),
            checks=(visible_country,),
            superuser=True,
        )
    ),
}


class UnknownPermission(KeyError):
    """A permission name that is not in the table (a typo must fail loudly, not deny)."""


def rule_for(name: str) -> Rule | AnyOf:
    try:
        return PERMISSIONS[name]
    except KeyError:
        raise UnknownPermission(name) from None


def has_perm(user, name: str, obj=None) -> bool:
    """True when ``user`` holds permission ``name`` (on ``obj``, for object-level rows).

    Parameters
    ----------
    name
        ``"app.permission"``, a key of :data:`PERMISSIONS`.
    obj
        For object-level permissions: a country code, ``None`` or an object with
        ``country_id`` (and whatever else the row's conditions read).
    """
    return rule_for(name).allows(user, obj)


def roles_with(name: str) -> frozenset[str]:
    """The roles a row names (every role when it names none): for documentation and tests."""
    rule = rule_for(name)
    return frozenset(Role.values) if rule.roles is None else rule.roles
