"""The hub matches in batch runs: receipt stores a token as pending, a run raises the alerts."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
from contextlib import redirect_stdout

import pytest

from matis.common.jobs import JobStatus
from matis.exchange import hub
from matis.exchange.hub import match_pending_tokens
from matis.exchange.models import HubAlert, LinkageToken, MatchRun
from matis.exchange.services import outbox_push
from tipstats import linkage

DOB = dt.date(1999, 2, 4)  # synthetic people
PAIRS = [
    ("Sokha", "Chan", "សុខា", "ចាន់", DOB),
    ("Mai", "Lin", "ម៉ៃ", "លីន", dt.date(1988, 7, 19)),
    ("Dara", "Keo", "Dara", "Keo", dt.date(2001, 12, 3)),  # the same spelling in both
]


@pytest.fixture
def two_countries(person_case, consent):
    """``make(pairs)``: each pair registered in THA (Latin) and KHM (Khmer), both consenting."""

    def make(pairs):
        cases = []
        for latin_given, latin_family, khmer_given, khmer_family, dob in pairs:
            tha = person_case("THA", given=latin_given, family=latin_family, dob=dob)
            khm = person_case("KHM", given=khmer_given, family=khmer_family, dob=dob)
            consent(tha, "cross_border", "KHM")
            consent(khm, "cross_border", "THA")
            cases.append((tha, khm))
        return cases

    return make


@pytest.fixture
def linked_left_ids(monkeypatch):
    """The token pks each Matcher.link of the hub compared on the left, one list per call."""
    calls = []
    original = linkage.Matcher.link

    def spy(self, left, right):
        calls.append(sorted(int(i) for i in left.ids))
        return original(self, left, right)

    monkeypatch.setattr(linkage.Matcher, "link", spy)
    return calls


@pytest.mark.django_db
def test_receipt_stores_the_token_and_the_worker_run_raises_the_alert(
    two_countries, local_transports, django_capture_on_commit_callbacks
):
    two_countries(PAIRS[:1])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox_push(transport_factory=local_transports)
    # received, stored, pending; nothing matched in the receiving request
    assert LinkageToken.objects.filter(match_pending=True).count() == 2
    assert not HubAlert.objects.exists()
    [run] = MatchRun.objects.all()  # the two receipts asked for one run
    assert run.status == JobStatus.QUEUED
    for callback in callbacks:  # the commit: the run is handed to the worker (immediate in tests)
        callback()
    run.refresh_from_db()
    assert run.status == JobStatus.DONE, run.error
    assert (run.n_tokens, run.n_alerts) == (2, 1)
    alert = HubAlert.objects.get()
    assert (alert.newer_country_id, alert.earlier_country_id) == ("KHM", "THA")
    assert not LinkageToken.objects.filter(match_pending=True).exists()


@pytest.mark.django_db
def test_a_run_matches_every_pending_token_exactly_once(
    two_countries, person_case, consent, local_transports, linked_left_ids
):
    cases = two_countries(PAIRS)
    outbox_push(transport_factory=local_transports)
    pending = sorted(LinkageToken.objects.values_list("pk", flat=True))
    assert len(pending) == 6

    run = match_pending_tokens()
    assert run.status == JobStatus.DONE, run.error
    assert linked_left_ids == [pending]  # one comparison of each pending token
    assert (run.n_tokens, run.n_alerts) == (6, 3)
    pairs = sorted(HubAlert.objects.values_list("newer_token", "earlier_token"))
    assert len(pairs) == len(set(pairs)) == 3
    tokens = {(t.country_id, t.pk) for t in LinkageToken.objects.all()}
    assert {HubAlert.objects.get(newer_token=n).newer_country_id for n, _ in pairs} == {"KHM"}
    assert len(tokens) == 6

    # nothing pending: the next run compares nothing and raises nothing
    again = match_pending_tokens()
    assert (again.n_tokens, again.n_alerts, again.n_compared) == (0, 0, 0)
    assert len(linked_left_ids) == 1

    # one new token: only it is compared, against all stored ones
    lao = person_case("LAO", given="Sokha", family="Chan", dob=DOB)
    consent(lao, "cross_border", "THA")
    consent(cases[0][0], "cross_border", "LAO")
    outbox_push(transport_factory=local_transports)
    new_pending = set(LinkageToken.objects.filter(match_pending=True).values_list("pk", flat=True))
    third = match_pending_tokens()
    assert linked_left_ids[-1] == sorted(new_pending)
    assert third.n_tokens == len(new_pending)
    assert third.n_alerts == 1  # LAO with THA; THA's old alert with KHM is not raised again
    lao_alert = HubAlert.objects.get(newer_country_id="LAO")
    assert lao_alert.earlier_country_id == "THA"
    assert HubAlert.objects.count() == 4


@pytest.mark.django_db
def test_a_token_revoked_before_the_run_raises_nothing(two_countries, consent, local_transports):
    [(tha, _khm)] = two_countries(PAIRS[:1])
    outbox_push(transport_factory=local_transports)
    consent(tha, "cross_border", "KHM", given=False)  # withdrawn before the hub matched
    outbox_push(transport_factory=local_transports)
    assert not LinkageToken.objects.filter(country_id="THA").exists()
    run = match_pending_tokens()
    assert run.status == JobStatus.DONE, run.error
    assert run.n_tokens == 1
    assert not HubAlert.objects.exists()


@pytest.mark.django_db
def test_a_token_revoked_while_the_run_compares_raises_nothing(
    two_countries, local_transports, monkeypatch
):
    two_countries(PAIRS[:1])
    outbox_push(transport_factory=local_transports)
    tha = LinkageToken.objects.get(country_id="THA")
    compare = hub._local_pairs

    def revoke_after_comparing(*args, **kwargs):
        pairs = compare(*args, **kwargs)
        assert pairs.n_pairs >= 1  # the pair was found ...
        hub.token_revoke(country_id="THA", subject_ref=tha.subject_ref)
        return pairs

    monkeypatch.setattr(hub, "_local_pairs", revoke_after_comparing)
    run = match_pending_tokens()
    assert run.status == JobStatus.DONE, run.error
    assert not HubAlert.objects.exists()  # ... and no alert names a withdrawn person


@pytest.mark.django_db
def test_a_failed_run_leaves_the_tokens_pending(two_countries, local_transports, monkeypatch):
    two_countries(PAIRS[:1])
    outbox_push(transport_factory=local_transports)

    def broken(self, left, right):
        raise MemoryError("synthetic failure")

    monkeypatch.setattr(linkage.Matcher, "link", broken)
    run = match_pending_tokens()
    assert run.status == JobStatus.FAILED
    assert "MemoryError" in run.error
    assert LinkageToken.objects.filter(match_pending=True).count() == 2
    monkeypatch.undo()
    assert match_pending_tokens().n_alerts == 1


@pytest.mark.django_db
def test_match_command_runs_the_pending_tokens(two_countries, local_transports):
    from matis.exchange.cli import add_commands

    two_countries(PAIRS[:2])
    outbox_push(transport_factory=local_transports)
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(), setup=lambda: None)

    def run(*argv):
        args = parser.parse_args(["exchange", "match", *argv])
        out = io.StringIO()
        with redirect_stdout(out):
            code = args.func(args)
        return code, json.loads(out.getvalue())

    code, first = run()
    assert code == 0
    assert (first["status"], first["tokens"], first["new_alerts"]) == ("done", 4, 2)
    HubAlert.objects.filter(newer_country_id="KHM").first().delete()
    code, again = run()
    assert (again["tokens"], again["new_alerts"]) == (0, 0)  # nothing pending
    code, everything = run("--all")
    assert (everything["tokens"], everything["new_alerts"]) == (4, 1)


@pytest.mark.django_db
def test_hub_page_shows_the_matching_run(hub, two_countries, local_transports, user_client):
    two_countries(PAIRS[:1])
    outbox_push(transport_factory=local_transports)
    secretariat = user_client("secretariat_analyst", None)
    page = secretariat.get("/exchange/hub/").content.decode()
    assert "2 tokens wait for the next matching run." in page
    assert 'data-progress-url="/exchange/hub/match/status/"' in page  # the queued run
    status = secretariat.get("/exchange/hub/match/status/").json()
    assert (status["status"], status["finished"]) == ("queued", False)

    run = match_pending_tokens()
    page = secretariat.get("/exchange/hub/").content.decode()
    assert "0 tokens wait for the next matching run." in page
    assert f"Last matching run ({run.pk}): Done" in page
    assert "2 tokens matched" in page and "1 new alerts" in page
    assert "data-progress-url" not in page
    status = secretariat.get("/exchange/hub/match/status/").json()
    assert (status["status"], status["new_alerts"], status["tokens"]) == ("done", 1, 2)
    officer = user_client("task_force_officer", "THA")
    assert officer.get("/exchange/hub/match/status/").status_code == 403


@pytest.mark.django_db
def test_a_token_of_the_old_schema_is_refused_naming_both_schemas(two_countries):
    data = {
        "subject_ref": "7c1f2a9e-3b7d-4e52-9a1f-0c2d3e4f5a6b",
        "clk": "AAAA",
        "schema": linkage.MATIS_SCHEMA_V1.fingerprint,
        "consent_countries": ["KHM"],
    }
    with pytest.raises(hub.ExchangeRefused) as refused:
        hub._token_upsert("THA", data)
    assert (refused.value.status, refused.value.code) == (400, "schema_mismatch")
    message = refused.value.message
    assert linkage.MATIS_SCHEMA_V1.fingerprint in message
    assert linkage.MATIS_SCHEMA.fingerprint in message
    assert "leaks sex" in message
    assert not LinkageToken.objects.exists()


@pytest.mark.django_db
def test_a_stored_token_of_the_old_schema_is_never_compared(two_countries, local_transports):
    two_countries(PAIRS[:1])
    outbox_push(transport_factory=local_transports)
    # THA's token as an older hub stored it: its bits mean something else
    LinkageToken.objects.filter(country_id="THA").update(
        schema_fingerprint=linkage.MATIS_SCHEMA_V1.fingerprint
    )
    run = match_pending_tokens()
    assert run.status == JobStatus.DONE, run.error
    assert (run.n_tokens, run.n_alerts) == (1, 0)
    assert not HubAlert.objects.exists()
    # sent again under the current schema, it is compared and the pair found
    LinkageToken.objects.filter(country_id="THA").update(
        schema_fingerprint=linkage.MATIS_SCHEMA.fingerprint, match_pending=True
    )
    assert match_pending_tokens().n_alerts == 1


def test_the_alert_threshold_follows_the_precision_the_operator_sets(settings):
    from matis.exchange import conf
    from matis.exchange.conf import ExchangeNotConfigured

    settings.MATIS_LINKAGE_THRESHOLD = None
    settings.MATIS_LINKAGE_MIN_PRECISION = 0.95
    at_95 = conf.linkage_threshold()
    assert at_95 == linkage.dice_threshold_for_precision(0.95)
    settings.MATIS_LINKAGE_MIN_PRECISION = 0.99
    assert conf.linkage_threshold() > at_95
    settings.MATIS_LINKAGE_MIN_PRECISION = 1.0
    with pytest.raises(ExchangeNotConfigured, match="MATIS_LINKAGE_MIN_PRECISION"):
        conf.linkage_threshold()
    settings.MATIS_LINKAGE_THRESHOLD = 0.7  # an explicit Dice threshold overrides it
    assert conf.linkage_threshold() == 0.7


@pytest.mark.django_db
def test_a_name_in_its_own_script_is_matched_by_a_whole_name_spelling(
    person_case, consent, local_transports, settings
):
    # Written in Thai at one border post and as "Anan Suksawad" at the other: that is
    # one of the name's whole-name spellings, closer to the Latin record than the
    # filter of every form together. The tests' linkage secret is generated per run, so
    # the alert threshold is set between the two Dice values (over 40 random secrets the
    # spelling was 0.043 to 0.071 above the whole filter)
    dob = dt.date(1990, 3, 14)
    tha = person_case("THA", given="อนันต์", family="สุขสวัสดิ์", dob=dob)
    khm = person_case("KHM", given="Anan", family="Suksawad", dob=dob)
    consent(tha, "cross_border", "KHM")
    consent(khm, "cross_border", "THA")
    outbox_push(transport_factory=local_transports)
    native = LinkageToken.objects.get(country_id="THA")
    latin = LinkageToken.objects.get(country_id="KHM")
    assert 1 < len(native.spellings) <= linkage.MATIS_SPELLINGS
    assert latin.spellings == []
    filters = [native.clk, *native.spellings, latin.clk]
    both = linkage.Encodings.from_base64(range(len(filters)), filters, schema_fingerprint="x")
    other = both.take([len(filters) - 1])
    dice = [float(linkage.dice_pairs(both.take([k]), other, [0], [0])[0]) for k in range(len(filters) - 1)]  # fmt: skip
    whole, best = dice[0], max(dice)
    assert best >= whole + 0.02
    settings.MATIS_LINKAGE_THRESHOLD = (whole + best) / 2
    run = match_pending_tokens()
    assert run.status == JobStatus.DONE, run.error
    assert run.n_alerts == 1
    alert = HubAlert.objects.get()
    assert float(alert.similarity) == pytest.approx(best, abs=1e-4)  # the best filter pair
    assert {alert.newer_token_id, alert.earlier_token_id} == {native.pk, latin.pk}
    # the same tokens without the spellings: the whole filter stays under the threshold
    HubAlert.objects.all().delete()
    LinkageToken.objects.filter(pk=native.pk).update(spellings=[], match_pending=True)
    assert match_pending_tokens().n_alerts == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spellings",
    ["AAAA", ["not base64!"], ["AAAA"], ["A" * 172] * (linkage.MATIS_SPELLINGS + 1)],
)
def test_malformed_spellings_are_refused(two_countries, spellings):
    import base64

    data = {
        "subject_ref": "7c1f2a9e-3b7d-4e52-9a1f-0c2d3e4f5a6b",
        "clk": base64.b64encode(bytes(128)).decode(),
        "spellings": spellings,
        "schema": linkage.MATIS_SCHEMA.fingerprint,
        "consent_countries": ["KHM"],
    }
    with pytest.raises(hub.ExchangeRefused) as refused:
        hub._token_upsert("THA", data)
    assert (refused.value.status, refused.value.code) == (400, "bad_token")
    assert "spellings" in refused.value.message
    assert not LinkageToken.objects.exists()


@pytest.mark.django_db
def test_a_token_of_the_second_schema_is_refused_with_its_name(two_countries):
    data = {
        "subject_ref": "7c1f2a9e-3b7d-4e52-9a1f-0c2d3e4f5a6b",
        "clk": "AAAA",
        "schema": linkage.MATIS_SCHEMA_V2.fingerprint,
        "consent_countries": ["KHM"],
    }
    with pytest.raises(hub.ExchangeRefused) as refused:
        hub._token_upsert("THA", data)
    assert refused.value.code == "schema_mismatch"
    assert "second MATIS schema" in refused.value.message
