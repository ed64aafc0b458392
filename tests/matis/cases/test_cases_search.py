"""The case search finds a case by its number, an identity document number or a name."""

from __future__ import annotations

import json

from django.urls import reverse

from matis.access.models import AuditAction, AuditLog


def _search(client, query):
    return client.get(reverse("cases:case_list"), {"q": query}).content.decode()


def test_case_number_document_number_and_name_find_the_case(client, world, register_case):
    a = register_case(
        world.worker,
        given_name="ทองคำ",
        documents=[{"doc_type": "passport", "number": "MB 7654321"}],
    )
    b = register_case(world.worker, given_name="ทับทิม")
    client.force_login(world.worker)
    number_part = a.reference.rsplit("-", 1)[1]  # THA-2026-000001 -> 000001
    for query in (a.reference, a.reference.lower(), number_part, "mb-7654321", "MB7654321"):
        page = _search(client, query)
        assert a.reference in page and b.reference not in page, query
        row = AuditLog.objects.filter(action=AuditAction.SEARCH).latest("id")
        assert row.detail["case_ids"] == [a.pk], query
        assert query not in json.dumps(row.detail, ensure_ascii=False)  # never the search text
    page = _search(client, "MB 765432")  # a document number matches whole, not in part
    assert a.reference not in page
    page = _search(client, "ทับทิม")
    assert b.reference in page and a.reference not in page


def test_a_case_number_from_another_country_is_not_found(client, world, register_case):
    a = register_case(world.khm_worker, given_name="សុភា")
    client.force_login(world.worker)
    page = _search(client, a.reference)
    assert reverse("cases:case_detail", args=[a.pk]) not in page
    assert AuditLog.objects.filter(action=AuditAction.SEARCH).latest("id").detail["case_ids"] == []
