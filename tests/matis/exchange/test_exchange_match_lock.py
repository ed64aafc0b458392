"""One matching run at a time at the hub; an alert for a pair raised meanwhile is not an error."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import translation

from matis.common.jobs import JobStatus
from matis.exchange import hub
from matis.exchange.hub import match_pending_tokens, match_run_execute
from matis.exchange.models import HubAlert, LinkageToken, MatchRun
from matis.exchange.services import outbox_push
from tipstats import linkage

PAIRS = [  # synthetic people: (THA Latin, KHM Khmer) spellings of one person each
    ("Sokha", "Chan", "សុខា", "ចាន់", dt.date(1999, 2, 4)),
    ("Mai", "Lin", "ម៉ៃ", "លីន", dt.date(1988, 7, 19)),
    ("Dara", "Keo", "Dara", "Keo", dt.date(2001, 12, 3)),
]

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent runs: run with MATIS_TEST_DATABASE_URL"
)


@pytest.fixture
def pending_pairs(person_case, consent, local_transports, monkeypatch):
    """The PAIRS registered in THA and KHM, sent to the hub, pending; no run handed to a worker."""
    requested = []
    monkeypatch.setattr(hub, "_enqueue_match", requested.append)
    for latin_given, latin_family, khmer_given, khmer_family, dob in PAIRS:
        tha = person_case("THA", given=latin_given, family=latin_family, dob=dob)
        khm = person_case("KHM", given=khmer_given, family=khmer_family, dob=dob)
        consent(tha, "cross_border", "KHM")
        consent(khm, "cross_border", "THA")
    outbox_push(transport_factory=local_transports)
    assert LinkageToken.objects.filter(match_pending=True).count() == 2 * len(PAIRS)
    return requested


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_started_at_once_raise_each_alert_once(pending_pairs, monkeypatch):
    original = linkage.Matcher.link

    def slow_link(self, left, right):
        time.sleep(0.5)  # the first run is still comparing when the second starts
        return original(self, left, right)

    monkeypatch.setattr(linkage.Matcher, "link", slow_link)
    start = threading.Barrier(2)
    runs, errors = [], []

    def start_run(make_new):
        try:
            start.wait()
            if make_new:  # a run of its own, as `matis exchange match` racing the worker's run
                runs.append(match_run_execute(MatchRun.objects.create(backend="duckdb")))
            else:
                runs.append(match_pending_tokens())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start_run, args=(flag,)) for flag in (False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(run.phase for run in runs) == ["busy", "done"]
    assert all(run.status == JobStatus.DONE for run in runs)
    [done] = [run for run in runs if run.phase == "done"]
    assert (done.n_tokens, done.n_alerts) == (2 * len(PAIRS), len(PAIRS))
    assert HubAlert.objects.count() == len(PAIRS)
    assert {(a.newer_country_id, a.earlier_country_id) for a in HubAlert.objects.all()} == {
        ("KHM", "THA")
    }
    assert not LinkageToken.objects.filter(match_pending=True).exists()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_refused_as_busy_leaves_its_tokens_to_the_next_run(pending_pairs):
    """While another connection holds the lock a run ends at once; the tokens stay pending."""
    held, release, done = threading.Event(), threading.Event(), threading.Event()

    def hold_lock():
        try:
            with hub._match_lock() as taken:
                assert taken
                held.set()
                release.wait(30)
        finally:
            connections.close_all()
            done.set()

    threading.Thread(target=hold_lock).start()
    assert held.wait(30)
    try:
        run = match_pending_tokens()
    finally:
        release.set()
        done.wait(30)
    assert (run.status, run.phase, run.n_alerts) == (JobStatus.DONE, "busy", 0)
    with translation.override("en"):
        assert "another run was running" in run.phase_label()
    assert LinkageToken.objects.filter(match_pending=True).count() == 2 * len(PAIRS)
    assert not HubAlert.objects.exists()
    run = match_pending_tokens()  # the lock is free again: the next run matches them
    assert (run.phase, run.n_alerts) == ("done", len(PAIRS))


@pytest.mark.django_db
def test_a_run_taken_already_is_not_run_again(pending_pairs):
    run = MatchRun.objects.create(backend="duckdb")
    MatchRun.objects.filter(pk=run.pk).update(status=JobStatus.RUNNING)  # the worker has it
    assert match_run_execute(run).status == JobStatus.RUNNING
    assert not HubAlert.objects.exists()
    assert LinkageToken.objects.filter(match_pending=True).count() == 2 * len(PAIRS)


@pytest.mark.django_db
def test_an_alert_raised_meanwhile_for_the_pair_is_taken_not_an_error(pending_pairs, monkeypatch):
    match_pending_tokens()
    alert = HubAlert.objects.first()
    a, b = alert.newer_token, alert.earlier_token
    # the first lookup misses, as when another transaction raised the pair just after it
    calls = []
    real = hub._alert_of_pair

    def miss_once(x, y):
        calls.append((x.pk, y.pk))
        return None if len(calls) == 1 else real(x, y)

    monkeypatch.setattr(hub, "_alert_of_pair", miss_once)
    found, new = hub._alert_for(a, b, 0.99)
    assert (found.pk, new) == (alert.pk, False)
    assert len(calls) == 2
    assert HubAlert.objects.count() == len(PAIRS)  # and the transaction is still usable


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the lock of this process: SQLite")
@pytest.mark.django_db
def test_without_postgresql_a_run_in_this_process_holds_the_lock(pending_pairs):
    with hub._match_lock() as taken:
        assert taken
        run = match_pending_tokens()
    assert (run.status, run.phase, run.n_alerts) == (JobStatus.DONE, "busy", 0)
    assert not HubAlert.objects.exists()
    with hub._match_lock() as taken:  # released again
        assert taken


@pytest.mark.django_db
def test_the_hub_page_follows_the_run_running_not_one_that_found_it_busy(
    pending_pairs, user_client
):
    running = MatchRun.objects.create(backend="duckdb")
    running.start(phase="read")
    busy = MatchRun.objects.create(backend="duckdb")
    busy.finish(JobStatus.DONE, phase="busy")  # as a second run that found `running` does
    secretariat = user_client("secretariat_analyst", None)
    status = secretariat.get("/exchange/hub/match/status/").json()
    assert (status["status"], status["finished"]) == ("running", False)
    page = secretariat.get("/exchange/hub/").content.decode()
    assert 'data-progress-url="/exchange/hub/match/status/"' in page
