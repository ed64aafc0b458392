"""End to end through HTTP: register, screen, decide, consent, place, refer, export."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from matis.access.models import AuditAction, AuditLog
from matis.cases.models import Alert, Case

pytestmark = pytest.mark.django_db
TODAY = dt.date.today().isoformat()


def _post(client, url, data, expect=302):
    response = client.post(url, data)
    assert response.status_code == expect, response.content.decode()[:3000]
    return response


def test_case_worker_journey(client, world):
    client.force_login(world.worker)
    response = _post(
        client,
        reverse("cases:case_register"),
        {
            "given_name": "ดาวเรือง",
            "family_name": "สุขใจ",
            "gender": "Feminine",
            "age_at_registration": "22",
            "primary_citizenship": "MMR",
            "other_citizenships": ["THA"],
            "languages": ["my", "th"],
            "doc_type": "passport",
            "doc_number": "MB 7654321",
            "doc_country": "MMR",
            "opened_on": TODAY,
            "exploitation_types": ["ForcedCriminality"],
            "forced_criminality": ["OnlineFraud"],
        },
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert case.agency == world.shelter and case.case_worker == world.worker
    assert case.person.romanised_given  # transliterated when not given
    page = client.get(response["Location"]).content.decode()
    assert "ดาวเรือง" in page and "MB 7654321" in page

    _post(
        client,
        reverse("cases:screen", args=[case.pk]),
        {
            "instrument": "forced-criminality",
            "ind_fc_compound_confined": "on",
            "ind_fc_scam_targets": "on",
            "language": "my",
            "interpreter_present": "on",
            "screened_on": TODAY,
        },
    )
    screening = case.screenings.get()
    assert (screening.score, screening.recommendation) == (7, "possible")
    assert screening.answers["fc_compound_confined"] is True

    _post(
        client,
        reverse("cases:decide", args=[case.pk]),
        {
            "decision": "ActualVictimOfTrafficking",
            "decision_org": "Police",
            "guideline": "tha-act-2008",
            "language_informed": "my",
            "interpreter_present": "on",
            "decided_on": TODAY,
        },
    )
    _post(
        client,
        reverse("cases:consent", args=[case.pk]),
        {
            "purpose": "referral",
            "organisation": world.provider.pk,
            "given": "1",
            "on": TODAY,
            "language": "my",
            "given_by": "person",
            "witness": "ล่าม (synthetic)",
        },
    )
    _post(
        client,
        reverse("cases:referral_new", args=[case.pk]),
        {
            "provider": world.provider.pk,
            "reason": "AdditionalServicesRequired",
            "services": ["Legal"],
        },
    )
    # a referral to an organisation without consent is refused, with a message
    refused = _post(
        client,
        reverse("cases:referral_new", args=[case.pk]),
        {
            "provider": world.other_provider.pk,
            "reason": "AdditionalServicesRequired",
            "services": ["Health"],
        },
        expect=400,
    )
    assert "Refused" in refused.content.decode()
    assert case.referrals.count() == 1

    _post(
        client,
        reverse("cases:placement_new", args=[case.pk]),
        {
            "facility": world.detention.pk,
            "voluntary": "0",
            "start_date": TODAY,
        },
    )
    assert Alert.objects.filter(case=case, resolved_at__isnull=True).count() == 1
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'data-alert="detention"' in page and 'data-kind="referral"' in page

    export = client.get(reverse("cases:case_htcds", args=[case.pk]))
    record = json.loads(export.content)
    assert record["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"
    assert record["commit_ForcedCriminality"] is True
    assert record["prs_Citizenship"] == ["MM", "TH"]
    assert export["Cache-Control"] == "no-store"


def test_supervisor_sees_and_resolves_the_alert_and_exports_the_register(
    client, world, register_case
):
    from matis.cases import services

    case = register_case(world.worker, primary_citizenship=_country("KHM"))
    services.identification_decide(
        actor=world.worker,
        case=case,
        decision="PossibleVictimOfTrafficking",
        decision_org="NGO",
        guideline="tha-act-2008",
        language_informed="km",
        interpreter_present=True,
    )
    services.placement_add(
        actor=world.worker,
        case=case,
        kind="immigration_detention",
        facility=world.detention,
        voluntary=False,
        start_date=dt.date.today() - dt.timedelta(days=3),
    )
    client.force_login(world.supervisor)
    page = client.get(reverse("cases:alert_list")).content.decode()
    assert case.reference in page
    alert = Alert.objects.get()
    _post(client, reverse("cases:alert_resolve", args=[alert.pk]), {"resolution": ""}, expect=400)
    _post(
        client,
        reverse("cases:alert_resolve", args=[alert.pk]),
        {"resolution": "Released to a shelter with her agreement."},
    )
    assert not Alert.objects.get().is_open

    year = dt.date.today().year
    page = client.get(reverse("cases:detention_register"), {"year": year}).content.decode()
    assert 'data-figure="persons">1<' in page and "IDC (synthetic)" in page
    csv_text = client.get(
        reverse("cases:detention_register"), {"year": year, "format": "csv"}
    ).content.decode()
    assert csv_text.splitlines()[1].startswith("IDC (synthetic),")
    assert ",KHM,1,1,4," in csv_text
    xlsx = client.get(reverse("cases:detention_register"), {"year": year, "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert "มาลัย" not in csv_text


def test_subject_access_export_lists_who_read_the_record(client, world, register_case):
    case = register_case(world.worker)
    client.force_login(world.worker)
    client.get(reverse("cases:case_detail", args=[case.pk]))
    client.force_login(world.supervisor)
    response = client.get(reverse("cases:subject_access", args=[case.pk]))
    payload = json.loads(response.content)
    assert payload["person"]["given_name"] == "มาลัย"
    log = payload["cases"][0]["access_log"]
    assert any(row["action"] == "record_read" and row["actor_role"] == "case_worker" for row in log)
    assert (
        AuditLog.objects.filter(
            action=AuditAction.SUBJECT_ACCESS_EXPORT, object_id=str(case.pk)
        ).count()
        == 1
    )
    # a case worker may not produce it
    client.force_login(world.worker)
    assert client.get(reverse("cases:subject_access", args=[case.pk])).status_code == 403


def test_secure_delete_needs_the_case_number_typed(client, world, register_case):
    case = register_case(world.worker)
    client.force_login(world.supervisor)
    url = reverse("cases:case_delete", args=[case.pk])
    _post(client, url, {"reference": "THA-0000-000000", "reason": "test"}, expect=400)
    assert Case.objects.filter(pk=case.pk).exists()
    _post(client, url, {"reference": case.reference.lower(), "reason": "duplicate record"})
    assert not Case.objects.filter(pk=case.pk).exists()


def test_list_search_filters_and_audits_without_the_query(client, world, register_case):
    a = register_case(world.worker, given_name="ทองคำ", age_at_registration=15)
    register_case(world.worker, given_name="ทับทิม")
    client.force_login(world.worker)
    page = client.get(reverse("cases:case_list"), {"q": "ทองคำ"}).content.decode()
    assert a.reference in page and "ทับทิม" not in page
    row = AuditLog.objects.filter(action=AuditAction.SEARCH).latest("id")
    assert row.detail["case_ids"] == [a.pk] and "ทองคำ" not in json.dumps(
        row.detail, ensure_ascii=False
    )
    page = client.get(reverse("cases:case_list"), {"child": "yes"}).content.decode()
    assert a.reference in page and "ทับทิม" not in page
    a.exploitation_types = ["ForcedLabour"]
    a.save()
    for value, shown in (("ForcedLabour", True), ("ChildLabour", False), ("Labour", True)):
        page = client.get(reverse("cases:case_list"), {"exploitation": value}).content.decode()
        assert (a.reference in page) is shown, value  # an unknown value filters nothing


@pytest.mark.parametrize("language", ["th", "km", "lo", "my", "zh-hans", "vi"])
def test_pages_render_in_every_language(client, world, register_case, language):
    case = register_case(world.worker)
    client.force_login(world.worker)
    client.cookies["matis_language"] = language
    for url in (
        reverse("cases:case_list"),
        reverse("cases:case_register"),
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:screen", args=[case.pk]),
        reverse("cases:consent", args=[case.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()


def _country(iso3):
    from matis.common.models import Country

    return Country.objects.get(pk=iso3)
