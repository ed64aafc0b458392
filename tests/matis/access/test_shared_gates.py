"""The shared gate helpers: one id parser, one audited refusal, one scoped fetch."""

from __future__ import annotations

import pytest

from matis.access.gates import RecordNotAvailable, deny, get_scoped_or_deny, parse_id
from matis.access.models import Agency, AuditAction, AuditLog


class Refusal(RecordNotAvailable):
    pass


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 5), ("12", 12), ("0", None), (-3, None), ("x", None), (None, None), ("1.5", None)],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


@pytest.mark.django_db
def test_deny_audits_and_returns_the_error(make_user):
    user = make_user(role="case_worker", country="THA")
    error = deny(user, "cases.case", "x" * 100, "view", error=Refusal)
    assert isinstance(error, Refusal)
    row = AuditLog.objects.get(action=AuditAction.ACCESS_DENIED)
    assert row.actor == user
    assert row.country_id == "THA"
    assert row.object_type == "cases.case"
    assert row.object_id == "x" * 64
    assert row.detail["purpose"] == "view"


@pytest.mark.django_db
def test_deny_for_anonymous_has_no_actor():
    from django.contrib.auth.models import AnonymousUser

    assert isinstance(deny(AnonymousUser(), "cases.case", 3, "view"), RecordNotAvailable)
    row = AuditLog.objects.get(action=AuditAction.ACCESS_DENIED)
    assert row.actor is None


@pytest.mark.django_db
def test_scoped_fetch_answers_the_same_for_missing_and_not_yours(make_user, make_agency):
    mine, theirs = make_agency("THA"), make_agency("VNM")
    user = make_user(role="task_force_officer", country="THA", agency=mine)
    found = get_scoped_or_deny(user, Agency.objects.all(), mine.pk, purpose="view", field="country")
    assert found == mine
    for pk in (theirs.pk, 999_999, "nonsense"):
        with pytest.raises(Refusal):
            get_scoped_or_deny(
                user, Agency.objects.all(), pk, purpose="view", field="country", error=Refusal
            )
    refusals = AuditLog.objects.filter(action=AuditAction.ACCESS_DENIED)
    assert refusals.count() == 3
    assert set(refusals.values_list("object_type", flat=True)) == {"access.agency"}


@pytest.mark.django_db
def test_scoped_fetch_trusts_the_gate_queryset_without_field(make_user, make_agency):
    theirs = make_agency("VNM")
    user = make_user(role="task_force_officer", country="THA")
    # The caller's queryset is the rule; without ``field`` no country filter is added.
    assert get_scoped_or_deny(user, Agency.objects.all(), theirs.pk, purpose="view") == theirs
    with pytest.raises(RecordNotAvailable):
        get_scoped_or_deny(
            user, Agency.objects.none(), theirs.pk, purpose="view", object_type="x.y"
        )
    assert AuditLog.objects.get(action=AuditAction.ACCESS_DENIED).object_type == "x.y"


@pytest.mark.django_db
def test_scope_queryset_with_regional_rows(make_user, make_agency):
    from matis.access.models import OrganisationType
    from matis.access.scoping import scope_queryset

    regional = Agency.objects.create(name="Secretariat", org_type=OrganisationType.SECRETARIAT)
    tha, vnm = make_agency("THA"), make_agency("VNM")
    user = make_user(role="task_force_officer", country="THA", agency=tha)
    ids = {tha.pk, vnm.pk, regional.pk}
    rows = Agency.objects.filter(pk__in=ids)
    assert set(scope_queryset(user, rows).values_list("pk", flat=True)) == {tha.pk}
    assert set(scope_queryset(user, rows, regional=True).values_list("pk", flat=True)) == {
        tha.pk,
        regional.pk,
    }
    region_user = make_user(role="auditor", country=None)
    assert set(scope_queryset(region_user, rows, regional=True).values_list("pk", flat=True)) == ids
