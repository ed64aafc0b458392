"""The plan pages and the plan API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def tf_client(user_client):
    return user_client("task_force_officer", "VNM")


def test_overview_lists_30_activities_and_9_priorities(tf_client):
    body = tf_client.get("/plan/").content.decode()
    assert body.count("<tr data-activity=") == 30
    assert body.count("data-priority") == 9
    assert 'data-count="activities">30<' in body and 'data-count="priority">9<' in body


def test_area_activity_evolution_roles_and_mou_pages(tf_client):
    assert "P&amp;C1" in tf_client.get("/plan/areas/1/").content.decode()
    assert tf_client.get("/plan/areas/6/").status_code == 404
    pro6 = tf_client.get("/plan/activities/pro6/").content.decode()
    assert 'data-source-goal-tag="3.6"' in pro6
    assert tf_client.get("/plan/activities/nope9/").status_code == 404
    evolution = tf_client.get("/plan/evolution/").content.decode()
    assert evolution.count("<tr>") >= 12
    roles = tf_client.get("/plan/roles/").content.decode()
    assert roles.count('class="badge yes"') + roles.count('class="badge no"') == 44
    assert tf_client.get("/plan/mou/").content.decode().count("<li value=") == 34


def test_untranslated_plan_text_is_marked_as_fallback(tf_client):
    tf_client.post("/i18n/setlang/", {"language": "km"})
    body = tf_client.get("/plan/activities/pc1/").content.decode()
    assert 'class="fallback"' in body  # the description is not yet translated into Khmer
    assert '<span lang="km">ការគាំទ្រផែនការសកម្មភាពជាតិ (NPA)</span>' in body  # the title is
    tf_client.post("/i18n/setlang/", {"language": "th"})
    body = tf_client.get("/plan/activities/pc1/").content.decode()
    assert 'lang="th"' in body


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_page_queries_do_not_grow_with_the_plan(tf_client):
    from matis.plans.models import Activity

    urls = ["/plan/", "/plan/areas/3/", "/plan/evolution/", "/api/v1/activities/", "/api/v1/areas/"]
    before = {url: _queries(tf_client, url) for url in urls}
    area = Activity.objects.get(code="PRO7").area
    goal = area.goals.first()
    for n in range(20):
        extra = Activity.objects.create(
            area=area,
            code=f"PROX{n}",
            slug=f"prox{n}",
            number=100 + n,
            title_en=f"Extra {n}",
            title_th="กิจกรรม",
        )
        extra.goals.add(goal)
    after = {url: _queries(tf_client, url) for url in urls}
    assert after == before


def test_activity_api_filters_priority(tf_client):
    data = tf_client.get("/api/v1/activities/?priority=true&limit=100").json()
    assert data["count"] == 9
    codes = {row["code"] for row in data["results"]}
    assert "PRO3" in codes and "PRO2" not in codes
    pro6 = tf_client.get("/api/v1/activities/pro6/").json()
    assert pro6["goals"] == ["3.4"] and pro6["source_goal_tag"] == "3.6"
    assert tf_client.get("/api/v1/goals/3.4/").json()["area"] == 3
    assert tf_client.get("/api/v1/mou-articles/?limit=50").json()["count"] == 34


def test_openapi_schema_and_docs_are_served_locally(tf_client):
    schema = tf_client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/activities/" in text and "/api/v1/agencies/" in text
    docs = tf_client.get("/api/docs/").content.decode()
    assert (
        "cdn" not in docs.lower()
        and "http://" not in docs
        and "https://" not in docs.replace("https://swagger.io", "")
    )
