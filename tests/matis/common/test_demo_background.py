"""The demo's background parts: queued, run by the worker (or at once), shown as "being prepared".

And the demo loaders' country filter (a national instance of the regional demo
loads only its own country's synthetic records).
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation

from matis.common import demo
from matis.common.demo import DemoLoader, run_demo_loaders, run_pending_demo_jobs
from matis.common.jobs import JobStatus
from matis.common.models import DemoJob

pytestmark = pytest.mark.django_db


def _loaders(monkeypatch, calls: list, *, fail: str = ""):
    def make(label, background, order):
        def load():
            calls.append(label)
            if label == fail:
                raise RuntimeError(f"{label} broke")
            return f"{label} loaded"

        return DemoLoader(label=label, func=load, order=order, background=background)

    loaders = [make("plans", False, 5), make("reports", True, 60), make("exchange", True, 90)]
    monkeypatch.setattr(demo, "demo_loaders", lambda: loaders)
    return loaders


def test_background_parts_are_queued_and_then_run_by_the_pending_runner(monkeypatch):
    calls: list[str] = []
    _loaders(monkeypatch, calls)
    # The test profile's task backend runs an enqueued task at once: the queue is
    # exercised end to end, so the parts are done when run_demo_loaders returns.
    queued = run_demo_loaders(progress=lambda line: None, background=True)
    assert queued == ["reports", "exchange"]
    assert calls == ["plans", "reports", "exchange"]
    jobs = {j.label: j for j in DemoJob.objects.all()}
    assert {j.status for j in jobs.values()} == {JobStatus.DONE}
    assert jobs["reports"].result == "reports loaded"
    assert jobs["reports"].finished_at is not None

    # a second start finds them done and queues nothing
    calls.clear()
    lines: list[str] = []
    assert run_demo_loaders(progress=lines.append, background=True) == []
    assert calls == ["plans"]
    assert "  reports: prepared in the background earlier" in lines


def test_a_queued_part_runs_once_and_a_failure_is_kept_for_its_pages(monkeypatch):
    calls: list[str] = []
    _loaders(monkeypatch, calls, fail="reports")
    DemoJob.objects.create(label="reports", order=60)
    DemoJob.objects.create(label="exchange", order=90)
    assert run_pending_demo_jobs() == 1  # reports failed, exchange ran
    assert calls == ["reports", "exchange"]
    reports = DemoJob.objects.get(label="reports")
    assert reports.status == JobStatus.FAILED
    assert "reports broke" in reports.error
    assert DemoJob.objects.get(label="exchange").status == JobStatus.DONE
    calls.clear()
    assert run_pending_demo_jobs() == 0  # nothing queued: nothing runs twice
    assert calls == []


def test_wait_runs_the_background_parts_in_the_foreground(monkeypatch):
    calls: list[str] = []
    _loaders(monkeypatch, calls)
    assert run_demo_loaders(progress=lambda line: None, background=False) == []
    assert calls == ["plans", "reports", "exchange"]
    assert set(DemoJob.objects.values_list("label", "status")) == {
        ("reports", JobStatus.DONE),
        ("exchange", JobStatus.DONE),
    }


@override_settings(ENV="demo")
def test_pages_say_their_data_are_being_prepared(user_client):
    DemoJob.objects.create(label="reports", order=60)
    DemoJob.objects.create(label="exchange", order=90, status=JobStatus.DONE)
    client = user_client("secretariat_analyst", None)
    page = client.get("/reports/").content.decode()
    assert 'data-demo-preparing="reports"' in page
    assert "are being prepared…" in page
    assert 'data-progress-url="/demo-status/reports/"' in page
    # another app's page names the part still being prepared, without the progress bar
    other = client.get("/plan/").content.decode()
    assert "data-demo-preparing=" not in other
    assert "Demo data still being prepared in the background" in other
    status = client.get("/demo-status/reports/").json()
    assert status["status"] == "queued" and status["finished"] is False
    assert client.get("/demo-status/nothing/").status_code == 404

    DemoJob.objects.filter(label="reports").update(status=JobStatus.DONE)
    page = client.get("/reports/").content.decode()
    assert "being prepared" not in page
    assert client.get("/demo-status/reports/").json()["finished"] is True


@override_settings(ENV="demo")
def test_being_prepared_is_translated(user_client):
    DemoJob.objects.create(label="reports", order=60)
    client = user_client("secretariat_analyst", None)
    english = client.get("/reports/").content.decode()
    for language in ("th", "km", "lo", "my", "zh-hans", "vi"):
        with translation.override(language):
            page = client.get("/reports/", HTTP_ACCEPT_LANGUAGE=language)
        text = page.content.decode()
        assert 'data-demo-preparing="reports"' in text
        assert "are being prepared…" not in text, language
    assert "are being prepared…" in english


def test_outside_the_demo_nothing_is_said(user_client):
    DemoJob.objects.create(label="reports", order=60)
    client = user_client("secretariat_analyst", None)
    assert "data-demo-preparing" not in client.get("/reports/").content.decode()


# --- the country filter -----------------------------------------------------------------------


def test_a_national_instance_gets_only_its_countrys_users_and_cases():
    from matis.access.demo import load_demo as load_access
    from matis.access.models import Agency, User
    from matis.cases.demo import load_demo as load_cases
    from matis.cases.models import Case, Person

    assert "users created" in load_access(countries=("THA",))
    assert set(User.objects.values_list("country_id", flat=True)) == {"THA"}
    assert set(Agency.objects.values_list("country_id", flat=True)) == {"THA"}
    assert load_cases(n_cases=120, countries=("THA",)).startswith(
        f"{Case.objects.count()} synthetic cases"
    )
    assert Case.objects.exists()
    assert set(Case.objects.values_list("country_id", flat=True)) == {"THA"}
    assert set(Person.objects.values_list("country_id", flat=True)) == {"THA"}


def test_the_hub_gets_only_the_regional_users():
    from matis.access.demo import load_demo as load_access
    from matis.access.models import User

    load_access(countries=())
    emails = set(User.objects.values_list("email", flat=True))
    assert emails == {
        "secretariat@matis.example",
        "auditor@matis.example",
        "admin@matis.example",
    }
    assert set(User.objects.values_list("country_id", flat=True)) == {None}


def test_demo_users_share_one_hash_that_checks_the_demo_password():
    from matis.access.demo import DEMO_COUNTRY_USERS, demo_password
    from matis.access.demo import load_demo as load_access
    from matis.access.models import User

    load_access(countries=("KHM",))
    users = list(User.objects.all())
    assert len(users) == len(DEMO_COUNTRY_USERS) == 8
    assert all(u.check_password(demo_password()) for u in users[:2])
    assert not users[0].check_password("wrong " + demo_password())
    assert len({u.password for u in users}) == 1
