"""The permission table, row by row: each role x each permission against a small expected matrix.

Adding a row to :data:`matis.access.permissions.PERMISSIONS` without adding it
here fails :func:`test_matrix_covers_every_permission`, so the table and its
expected answers move together.
"""

from __future__ import annotations

import re
from collections import namedtuple
from pathlib import Path
from types import SimpleNamespace

import pytest

import matis
from matis.access.models import REGION_WIDE_ROLES, Role, User
from matis.access.permissions import PERMISSIONS, UnknownPermission, has_perm, roles_with

TFO, STAT, CW, CS, JO = "TFO", "STAT", "CW", "CS", "JO"
SEC, AUD, ADM = "SEC", "AUD", "ADM"
ROLE = {
    TFO: Role.TASK_FORCE_OFFICER,
    STAT: Role.STATISTICS_OFFICER,
    CW: Role.CASE_WORKER,
    CS: Role.CASE_SUPERVISOR,
    JO: Role.JUSTICE_OFFICER,
    SEC: Role.SECRETARIAT_ANALYST,
    AUD: Role.AUDITOR,
    ADM: Role.ADMINISTRATOR,
}
ALL = frozenset(ROLE)
REGION_CODES = frozenset(c for c in ROLE if ROLE[c] in REGION_WIDE_ROLES)
NONE: frozenset[str] = frozenset()

# User-level permissions: (roles allowed when scoped to a country, roles allowed region-wide).
# Region-wide users are only ever SEC, AUD or ADM.
USER_LEVEL: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "access.view_agencies": (ALL, ALL),
    "access.manage_users": ({ADM}, {ADM}),
    "access.view_audit_log": ({AUD, ADM}, {AUD, ADM}),
    "inbox.view_inbox": (ALL, ALL),
    "plans.view_plan": (ALL, ALL),
    "monitoring.view_dashboards": (ALL, ALL),
    "monitoring.view_reports": ({TFO, SEC, STAT, AUD, ADM}, {SEC, AUD, ADM}),
    "monitoring.view_npa": (ALL, ALL),
    "monitoring.view_indicators": (ALL, ALL),
    "monitoring.review_report": (NONE, {SEC}),
    "monitoring.manage_periods": (NONE, {SEC}),
    "monitoring.refresh_indicators": (NONE, {SEC}),
    "reports.view_reports": (ALL, ALL),
    "reports.publish_report": (NONE, {SEC}),
    "publication.release": (NONE, {SEC}),
    "statistics.view_statistics": (ALL, ALL),
    "statistics.view_submissions": (ALL, ALL),
    "cases.view_cases": ({CW, CS, JO}, NONE),
    "cases.register_case": ({CW, CS}, NONE),
    "cases.view_referrals": ({CW, CS}, NONE),
    "cases.view_directory": ({CW, CS}, NONE),
    "cases.supervise_cases": ({CS}, NONE),
    "intake.view_tips": ({CW, CS}, NONE),
    "intake.record_tip": ({CW, CS}, NONE),
    "intake.triage_tips": ({CS}, NONE),
    "intake.register_group": ({CW, CS}, NONE),
    "cases.break_glass": ({CS, JO}, NONE),
    "returns.view_returns": ({CW, CS}, NONE),
    "justice.view_criminal_cases": ({JO}, NONE),
    "registers.view_records": (ALL, ALL),
    "registers.add_record": ({TFO, SEC, ADM}, {SEC, ADM}),
    "exchange.view_outbox": ({TFO, STAT, ADM, AUD}, {ADM, AUD}),
    "exchange.requeue_outbox": ({TFO, STAT, ADM}, {ADM}),
    "exchange.view_hub": (NONE, {SEC, ADM, AUD}),
    "exchange.view_alerts": ({CW, CS}, NONE),
    "exchange.decide_alert": ({CW, CS}, NONE),
    "analytics.view_analyses": (ALL, ALL),
    "analytics.run_analysis": ({SEC, STAT, TFO, JO}, {SEC}),
    "cooperation.view_detention_notices": ({CW, CS}, NONE),
    "cooperation.view_assessments": ({TFO, STAT, JO, AUD}, NONE),
    "cooperation.view_decisions": (ALL, ALL),
    "cooperation.record_decision": (NONE, {SEC}),
    "cooperation.track_decisions": (NONE, {SEC, ADM, AUD}),
}

# Object-level permissions: (permission, object) -> (roles allowed in THA, roles allowed region-wide).
THA, VNM = "THA", "VNM"
# An analysis: of a country, made by a user (the users below have pk 7).
Made = namedtuple("Made", "country_id created_by_id")
MINE_THA, OTHERS_THA, MINE_REGIONAL = Made(THA, 7), Made(THA, 8), Made(None, 7)
# An assessment submitted by a user (four eyes: the submitter does not approve).
Submitted = namedtuple("Submitted", "country_id submitted_by_id")
OBJECT_LEVEL: dict[tuple[str, object], tuple[frozenset[str], frozenset[str]]] = {
    ("monitoring.edit_report", THA): ({TFO}, NONE),
    ("monitoring.edit_report", VNM): (NONE, NONE),
    ("monitoring.edit_report", None): (NONE, NONE),
    ("reports.request_report", THA): ({TFO}, {SEC}),
    ("reports.request_report", VNM): (NONE, {SEC}),
    ("reports.request_report", None): (NONE, {SEC}),
    ("statistics.edit_submission", THA): ({STAT, TFO, ADM}, NONE),
    ("statistics.edit_submission", VNM): (NONE, NONE),
    ("statistics.edit_submission", None): (NONE, NONE),
    ("statistics.unlock_submission", THA): ({ADM}, NONE),
    ("statistics.unlock_submission", VNM): (NONE, NONE),
    ("justice.edit_criminal_case", THA): ({JO}, NONE),
    ("justice.edit_criminal_case", VNM): (NONE, NONE),
    ("registers.change_record", THA): ({TFO, SEC, ADM}, {SEC, ADM}),
    ("registers.change_record", VNM): (NONE, {SEC, ADM}),
    ("registers.change_record", None): (NONE, {SEC, ADM}),
    ("analytics.publish_analysis", THA): ({SEC, STAT}, {SEC}),
    ("analytics.publish_analysis", VNM): (NONE, {SEC}),
    ("analytics.publish_analysis", None): (NONE, {SEC}),
    ("analytics.view_raw_results", MINE_THA): ({SEC, STAT, TFO, JO}, {SEC}),
    ("analytics.view_raw_results", MINE_REGIONAL): ({SEC, STAT, TFO, JO}, {SEC}),
    ("analytics.view_raw_results", OTHERS_THA): (NONE, NONE),
    ("analytics.view_raw_results", THA): (NONE, NONE),
    ("cooperation.send_detention_notice", THA): ({CW, CS}, NONE),
    ("cooperation.send_detention_notice", VNM): (NONE, NONE),
    ("cooperation.follow_up_detention", THA): ({CW, CS}, NONE),
    ("cooperation.follow_up_detention", VNM): (NONE, NONE),
    ("cooperation.write_assessment", THA): ({TFO, STAT, JO}, NONE),
    ("cooperation.write_assessment", VNM): (NONE, NONE),
    ("cooperation.approve_assessment", Submitted(THA, 8)): ({TFO, STAT, JO}, NONE),
    ("cooperation.approve_assessment", Submitted(THA, 7)): (NONE, NONE),
    ("cooperation.approve_assessment", Submitted(VNM, 8)): (NONE, NONE),
    ("cooperation.report_action_status", THA): ({TFO}, NONE),
    ("cooperation.report_action_status", VNM): (NONE, NONE),
}


def user(code: str, *, country: str | None = THA, superuser: bool = False, pk: int = 7) -> User:
    """An unsaved user: the table reads only role, country, agency and flags."""
    return User(
        pk=pk,
        role=ROLE[code],
        country_id=country,
        agency_id=3,
        is_active=True,
        is_superuser=superuser,
    )


def allowed(permission: str, obj=None, *, country: str | None) -> set[str]:
    codes = ALL if country is not None else REGION_CODES
    return {c for c in codes if has_perm(user(c, country=country), permission, obj)}


def test_matrix_covers_every_permission():
    named = set(USER_LEVEL) | {name for name, _ in OBJECT_LEVEL} | {"statistics.approve_submission"}
    assert named == set(PERMISSIONS)


@pytest.mark.parametrize("permission", sorted(USER_LEVEL))
def test_user_level_row(permission):
    national, region = USER_LEVEL[permission]
    assert allowed(permission, country=THA) == set(national)
    assert allowed(permission, country=None) == set(region) & REGION_CODES


@pytest.mark.parametrize(("permission", "obj"), list(OBJECT_LEVEL), ids=str)
def test_object_level_row(permission, obj):
    national, region = OBJECT_LEVEL[(permission, obj)]
    assert allowed(permission, obj, country=THA) == set(national)
    assert allowed(permission, obj, country=None) == set(region)


def test_object_may_be_a_model_with_country():
    report = SimpleNamespace(country_id=THA)
    assert has_perm(user(TFO), "monitoring.edit_report", report)
    assert not has_perm(user(TFO, country=VNM), "monitoring.edit_report", report)


def test_four_eyes_on_approval():
    submission = SimpleNamespace(country_id=THA, submitted_by_id=7)
    assert not has_perm(user(STAT, pk=7), "statistics.approve_submission", submission)
    assert has_perm(user(STAT, pk=8), "statistics.approve_submission", submission)
    assert has_perm(user(ADM, pk=8), "statistics.approve_submission", submission)
    assert not has_perm(user(CW, pk=8), "statistics.approve_submission", submission)
    assert not has_perm(user(STAT, country=VNM, pk=8), "statistics.approve_submission", submission)


def test_case_registration_needs_an_agency():
    worker = user(CW)
    assert has_perm(worker, "cases.register_case")
    worker.agency_id = None
    assert not has_perm(worker, "cases.register_case")
    assert has_perm(worker, "cases.view_cases")


def test_superuser_opens_administrative_rows_only():
    admin = user(ADM, country=None, superuser=True)
    assert has_perm(admin, "access.manage_users")
    assert has_perm(admin, "registers.add_record")
    assert has_perm(admin, "analytics.run_analysis")
    # Case records stay closed to superusers: personal data is never an admin's to read.
    assert not has_perm(admin, "cases.view_cases")
    assert not has_perm(admin, "justice.view_criminal_cases")
    assert not has_perm(admin, "exchange.view_alerts")
    # A superuser of another role passes the role condition of administrative rows...
    auditor = user(AUD, country=None, superuser=True)
    assert has_perm(auditor, "access.manage_users")
    # ...but never the scope: hub pages are region-wide only.
    national_superuser = user(STAT, superuser=True)
    assert not has_perm(national_superuser, "exchange.view_hub")


def test_inactive_and_anonymous_users_hold_nothing():
    from django.contrib.auth.models import AnonymousUser

    inactive = user(ADM, country=None)
    inactive.is_active = False
    for name in PERMISSIONS:
        assert not has_perm(inactive, name, THA)
        assert not has_perm(AnonymousUser(), name, THA)
        assert not has_perm(None, name, THA)


def test_unknown_permission_fails_loudly():
    with pytest.raises(UnknownPermission):
        has_perm(user(ADM), "cases.view_case_typo")


def test_roles_with_lists_the_roles_a_row_names():
    assert roles_with("cases.supervise_cases") == {Role.CASE_SUPERVISOR}
    assert roles_with("plans.view_plan") == set(Role.values)
    assert roles_with("reports.request_report") == {
        Role.SECRETARIAT_ANALYST,
        Role.TASK_FORCE_OFFICER,
    }


def test_every_permission_named_in_the_code_is_in_the_table():
    """A typo in a permission name would deny silently at run time; catch it here."""
    src = Path(matis.__file__).parent
    patterns = (
        re.compile(r"""has_perm\([^"']*["']([a-z_]+\.[a-z_]+)["']"""),
        re.compile(r'NavItem\(\s*"[^"]+",\s*_\("[^"]*"\),\s*"([a-z_]+\.[a-z_]+)"'),
    )
    names = set()
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            names.update(pattern.findall(text))
    assert names - set(PERMISSIONS) == set()
    assert set(PERMISSIONS) - names == set(), "a row nobody asks for"
