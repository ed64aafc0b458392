"""Security review findings 8, 11, 13 and 15: who may read what, and that every read is on record.

- 8: an analysis's raw tables (cells of 1 to 4 built from case records) reach
  only the analyst who ran it; everyone else gets the published, suppressed
  tables or nothing.
- 11: every list page that displays people writes one audit read row.
- 13: those rows name the cases shown, and the person's subject-access export
  lists them.
- 15: the auditor holds read permissions only; a re-queue POST is refused.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from types import SimpleNamespace

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from matis.access.models import AuditAction, AuditLog, Role
from matis.access.permissions import PERMISSIONS, READ, WRITE, has_perm
from matis.analytics.models import Analysis, Dataset
from matis.common.jobs import JobStatus

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _new_rows(since: int, **filters):
    return list(AuditLog.objects.filter(id__gt=since, **filters).order_by("id"))


def _last_id() -> int:
    return AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


# --- finding 8: raw analysis tables ---------------------------------------------------------


@pytest.fixture
def routes_analysis(make_user, django_capture_on_commit_callbacks):
    """A Thai statistics officer's routes analysis with a route of one case (THA -> LAO, 1)."""
    analyst = make_user(role="statistics_officer", country="THA")
    client = _client(analyst)
    rows = "origin,destination\n" + "THA,LAO\n" + "MMR,THA\n" * 40
    client.post(
        "/analytics/data/upload/",
        {
            "name": "routes",
            "file": SimpleUploadedFile("d.csv", rows.encode(), content_type="text/csv"),
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/analytics/new/",
            {
                "title": "routes",
                "kind": "flows",
                "source": f"dataset:{Dataset.objects.get().pk}",
                "flows__origin": "origin",
                "flows__destination": "destination",
            },
        )
    analysis = Analysis.objects.get(title="routes")
    assert analysis.status == JobStatus.DONE, analysis.error
    return SimpleNamespace(analysis=analysis, analyst=analyst, client=client)


def _lao_cell(csv_bytes: bytes):
    frame = pd.read_csv(io.BytesIO(csv_bytes), encoding="utf-8-sig", dtype=str)
    return frame.loc[frame["origin"] == "THA", "n_cases"].iloc[0]


def test_finding_08_unpublished_analysis_tables_reach_only_the_analyst_who_ran_it(
    routes_analysis, make_user
):
    analysis = routes_analysis.analysis
    url = f"/analytics/{analysis.pk}/"
    raw_csv = f"{url}download/?table=0&format=csv"
    published_csv = f"{url}download/?published=1&table=0&format=csv"
    # the analyst who ran it reads the raw table, cell of one included
    own = routes_analysis.client.get(raw_csv)
    assert own.status_code == 200 and _lao_cell(own.content) == "1"
    assert routes_analysis.client.get(url).context["raw"] is True

    others = [
        make_user(role="statistics_officer", country="THA"),  # may publish, still not the analyst
        make_user(role="task_force_officer", country="THA"),
        make_user(role="case_worker", country="THA"),
        make_user(role="secretariat_analyst", country=None),  # region-wide
        make_user(role="auditor", country=None),
    ]
    for user in others:
        client = _client(user)
        for fmt in ("csv", "xlsx"):
            response = client.get(f"{url}download/?table=0&format={fmt}")
            assert response.status_code == 403, (user.role, fmt)
        assert client.get(published_csv).status_code == 404, user.role  # nothing published yet
        page = client.get(url)
        assert page.status_code == 200 and page.context["raw"] is False
        body = page.content.decode()
        assert "data-summary" not in body and "vega-spec" not in body, user.role
        assert "?table=0&amp;format=csv" not in body, user.role
        assert "<td>LAO</td>" not in body, user.role

    # once published, the others get the suppressed table, and still never the raw one
    publisher = _client(others[0])
    assert publisher.post(f"{url}publish/").status_code == 302
    analysis.refresh_from_db()
    assert analysis.published
    for user in others:
        client = _client(user)
        released = client.get(published_csv)
        assert released.status_code == 200 and _lao_cell(released.content) == "<11", user.role
        assert client.get(raw_csv).status_code == 403, user.role
        assert "data-published" in client.get(url).content.decode()
    assert _lao_cell(routes_analysis.client.get(raw_csv).content) == "1"


# --- findings 11 and 13: list reads are audited with the cases they showed -------------------


@pytest.fixture
def thai_office(make_agency, make_user):
    """A Thai shelter with a case worker and a supervisor, and one registered case."""
    from matis.access.models import OrganisationType
    from matis.cases.services import case_register

    shelter = make_agency("THA", name="Shelter (synthetic)")
    worker = make_user(role="case_worker", country="THA", agency=shelter)
    supervisor = make_user(
        role="case_supervisor",
        country="THA",
        agency=make_agency("THA", org_type=OrganisationType.CENTRAL_GOVERNMENT),
    )
    case = case_register(
        actor=worker,
        person={
            "given_name": "Kanokwan",
            "family_name": "Synthetic",
            "gender": "Feminine",
            "age_at_registration": 24,
            "primary_citizenship": None,
            "languages": ["th"],
        },
        case={"opened_on": dt.date.today()},
        documents=[],
    )
    return SimpleNamespace(shelter=shelter, worker=worker, supervisor=supervisor, case=case)


def _one_list_read(since: int, purpose: str, case_id: int) -> AuditLog:
    rows = [r for r in _new_rows(since) if r.detail.get("purpose") == purpose]
    assert len(rows) == 1, (purpose, [(r.action, r.detail) for r in _new_rows(since)])
    row = rows[0]
    assert row.action in (AuditAction.RECORD_READ, AuditAction.SEARCH)
    assert case_id in row.detail["case_ids"]
    return row


def test_finding_11_the_returns_list_writes_one_audit_read_row(thai_office):
    from matis.returns.test_factories import make_repatriation

    rep = make_repatriation("THA", "Ratree")  # the case is in a shelter of its own
    worker = _client(
        type(thai_office.worker).objects.create_user(
            email="returns.worker@test.example",
            password=None,
            role=Role.CASE_WORKER,
            country_id="THA",
            agency=rep.case.agency,
        )
    )
    since = _last_id()
    response = worker.get(reverse("returns:list"))
    assert response.status_code == 200 and "Ratree" in response.content.decode()
    row = _one_list_read(since, "returns_list", rep.case_id)
    assert row.object_type == "returns.repatriation" and row.country_id == "THA"
    assert "Ratree" not in json.dumps(row.detail)  # the row names cases, never people


def test_finding_11_referral_and_alert_lists_write_one_audit_read_row(thai_office):
    from matis.cases.models import Alert, Referral, ServiceProvider
    from matis.exchange.models import LinkageSubject, ReceivedAlert

    case = thai_office.case
    provider = ServiceProvider.objects.create(
        country_id="THA", name="Clinic (synthetic)", services=["Health"]
    )
    Referral.objects.create(
        case=case,
        provider=provider,
        referring_agency=thai_office.shelter,
        reason="AdditionalServicesRequired",
        services=["Health"],
        created_by=thai_office.worker,
    )
    Alert.objects.create(case=case, country_id="THA", kind="detention")
    ReceivedAlert.objects.create(
        hub_alert_id=4711,
        country_id="THA",
        subject=LinkageSubject.objects.create(case=case),
        other_country_id="KHM",
        similarity=0.9,
        this_case_is_newer=True,
        raised_at=dt.datetime.now(dt.UTC),
    )
    worker, supervisor = _client(thai_office.worker), _client(thai_office.supervisor)
    for client, url, purpose in [
        (worker, reverse("cases:referral_list"), "referral_list"),
        (supervisor, reverse("cases:alert_list"), "alert_list"),
        (worker, reverse("exchange:alert_list"), "retrafficking_alert_list"),
    ]:
        since = _last_id()
        response = client.get(url)
        assert response.status_code == 200, url
        assert case.reference in response.content.decode(), url
        _one_list_read(since, purpose, case.pk)


def test_finding_11_criminal_case_page_records_the_victims_it_lists(thai_office, make_user):
    from matis.justice.models import CriminalCase, VictimWitness

    officer = make_user(role="justice_officer", country="THA")
    cc = CriminalCase.objects.create(
        country_id="THA",
        reference="CR-1/2025",
        agency=officer.agency,
        opened_on=dt.date.today(),
        created_by=officer,
    )
    VictimWitness.objects.create(
        criminal_case=cc, case=thai_office.case, role="witness", linked_by=officer
    )
    since = _last_id()
    response = _client(officer).get(reverse("justice:detail", args=[cc.pk]))
    assert response.status_code == 200
    _one_list_read(since, "criminal_case_witnesses", thai_office.case.pk)


def test_finding_13_subject_access_lists_the_list_search_and_api_reads(thai_office):
    case = thai_office.case
    worker = _client(thai_office.worker)
    assert worker.get(reverse("cases:case_list")).status_code == 200
    assert worker.get(reverse("cases:case_list"), {"q": "Kanokwan"}).status_code == 200
    assert worker.get("/api/v1/cases/").status_code == 200
    # a list that did not show the person is not hers
    assert worker.get(reverse("cases:case_list"), {"q": "Nobody"}).status_code == 200

    response = _client(thai_office.supervisor).get(reverse("cases:subject_access", args=[case.pk]))
    assert response.status_code == 200
    log = json.loads(response.content)["cases"][0]["access_log"]
    shown = [
        (row["action"], row["shown_in"], row["actor_role"]) for row in log if "shown_in" in row
    ]
    assert shown == [
        ("record_read", "list", "case_worker"),
        ("search", "list", "case_worker"),
        ("record_read", "api_list", "case_worker"),
    ]
    # the rows themselves hold case ids only, never the search text
    search = AuditLog.objects.get(action=AuditAction.SEARCH, detail__case_ids=[case.pk])
    assert "Kanokwan" not in json.dumps(search.detail)


def test_finding_13_list_reads_are_bounded_and_found_by_exact_id():
    from matis.access.audit import LIST_READ_MAX_IDS, audit_list_read, list_reads_showing

    row = audit_list_read(
        actor=None,
        object_type="cases.case",
        case_ids=range(1, LIST_READ_MAX_IDS + 51),
        purpose="api_list",
        country_id="THA",
    )
    assert len(row.detail["case_ids"]) == LIST_READ_MAX_IDS
    assert row.detail["shown"] == LIST_READ_MAX_IDS + 50
    other = audit_list_read(
        actor=None, object_type="cases.case", case_ids=[12], purpose="list", country_id="KHM"
    )
    # 1 is a digit of 12 and of 1000; only the rows that really showed case 1 or 12 count
    assert [r.pk for r in list_reads_showing(case_id=1)] == [row.pk]
    assert [r.pk for r in list_reads_showing(case_id=12)] == [row.pk, other.pk]
    assert list_reads_showing(case_id=LIST_READ_MAX_IDS + 1) == []
    # an empty list that was no search writes nothing
    assert (
        audit_list_read(actor=None, object_type="cases.case", case_ids=[], purpose="list") is None
    )


# --- finding 15: the auditor only reads -------------------------------------------------------


def test_finding_15_every_permission_is_a_read_or_a_write_and_the_auditor_holds_only_reads(
    make_user,
):
    assert {rule.kind for rule in PERMISSIONS.values()} <= {READ, WRITE}
    assert all(rule.kind in (READ, WRITE) for rule in PERMISSIONS.values())
    writes = [name for name, rule in PERMISSIONS.items() if rule.kind == WRITE]
    assert "exchange.requeue_outbox" in writes and "exchange.view_outbox" not in writes
    auditors = [make_user(role="auditor", country=None), make_user(role="auditor", country="THA")]
    for auditor in auditors:
        objects = [
            None,
            "THA",
            SimpleNamespace(country_id="THA", submitted_by_id=0, created_by_id=auditor.pk),
            SimpleNamespace(country_id=None, submitted_by_id=0, created_by_id=auditor.pk),
        ]
        held = {name for name in PERMISSIONS for obj in objects if has_perm(auditor, name, obj)}
        assert held, "the auditor reads something"
        assert {PERMISSIONS[name].kind for name in held} == {READ}, sorted(held)
    assert has_perm(auditors[0], "exchange.view_outbox")
    assert has_perm(auditors[0], "access.view_audit_log")


def test_finding_15_the_auditor_cannot_requeue_an_outbox_item(make_user):
    from matis.exchange.models import ItemKind, OutboxItem, OutboxStatus

    item = OutboxItem.objects.create(
        country_id="THA",
        kind=ItemKind.MONITORING_REPORT,
        object_type="test.object",
        object_id="1",
        idempotency_key="THA:test:requeue",
        status=OutboxStatus.FAILED,
        last_error="refused",
    )
    before = OutboxItem.objects.filter(pk=item.pk).values().get()
    since = _last_id()
    for auditor in (
        make_user(role="auditor", country=None),
        make_user(role="auditor", country="THA"),
    ):
        client = _client(auditor)
        page = client.get(reverse("exchange:outbox"))
        assert page.status_code == 200  # the auditor sees the outbox...
        assert reverse("exchange:outbox_retry", args=[item.pk]) not in page.content.decode()
        response = client.post(reverse("exchange:outbox_retry", args=[item.pk]))
        assert response.status_code == 403  # ...and never changes it
    assert OutboxItem.objects.filter(pk=item.pk).values().get() == before
    assert not _new_rows(since, action=AuditAction.STATUS_CHANGE)
    # a task force officer of the country still may
    officer = _client(make_user(role="task_force_officer", country="THA"))
    assert officer.post(reverse("exchange:outbox_retry", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.status == OutboxStatus.PENDING
