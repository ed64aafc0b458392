"""The regional hub: verify a signed request, store each item once, apply it; match in batches."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.common.jobs import JobStatus
from matis.exchange import conf
from matis.exchange.keys import UnknownKey, secret_of, valid_key
from matis.exchange.models import (
    CountryKey,
    DeidentifiedCase,
    HubAlert,
    InboxItem,
    ItemKind,
    LinkageToken,
    LinkDecision,
    MatchRun,
)
from matis.exchange.privacy import PersonalDataRefused, ReleaseNotAnonymous, check_payload
from matis.exchange.signing import (
    HEADER_IDEMPOTENCY,
    HEADER_KEY_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    body_digest,
    signature_matches,
    string_to_sign,
)
from tipstats import linkage

logger = logging.getLogger(__name__)
ENVELOPE_VERSION = 1
MAX_BODY_BYTES = 20 * 1024 * 1024


class ExchangeRefused(Exception):
    """The hub refuses a request: ``status`` is the HTTP status, ``code`` a stable word."""

    def __init__(self, status: int, code: str, message: str):
        self.status, self.code, self.message = status, code, message
        super().__init__(f"{code}: {message}")

    def as_dict(self) -> dict:
        return {"error": self.code, "detail": self.message}


# --- authentication -----------------------------------------------------------------


def verify_request(
    *, method: str, path: str, query: str, headers, body: bytes, now: float | None = None
) -> CountryKey:
    """The country key that signed this request, or :class:`ExchangeRefused` (403).

    Refuses a missing or unknown key id, a key not valid now (expired,
    revoked, not yet valid), a timestamp outside the replay window, and a
    signature that does not match the request.
    """
    key_id = headers.get(HEADER_KEY_ID, "")
    timestamp = headers.get(HEADER_TIMESTAMP, "")
    signature = headers.get(HEADER_SIGNATURE, "")
    if not key_id or not timestamp or not signature:
        raise ExchangeRefused(403, "unsigned", "the request carries no exchange signature")
    try:
        ts = int(timestamp)
    except ValueError:
        raise ExchangeRefused(403, "bad_timestamp", "the timestamp is not a number") from None
    now = time.time() if now is None else now
    if abs(now - ts) > conf.replay_window_seconds():
        raise ExchangeRefused(
            403, "stale", "the request is outside the replay window (check the clock)"
        )
    try:
        key = valid_key(key_id)
        secret = secret_of(key)
    except UnknownKey:
        raise ExchangeRefused(
            403, "unknown_key", "the key is unknown, expired or revoked"
        ) from None
    message = string_to_sign(
        method=method,
        path=path,
        query=query,
        timestamp=timestamp,
        idempotency_key=headers.get(HEADER_IDEMPOTENCY, ""),
        body=body,
    )
    if not signature_matches(secret, message, signature):
        raise ExchangeRefused(403, "bad_signature", "the signature does not match the request")
    return key


# --- the two endpoints' answers ------------------------------------------------------
# The HTTP views and the demo's in-process transport both call these, so a request is
# verified and answered the same way whichever way it came.


@dataclass(frozen=True)
class HubAnswer:
    """What the hub answers a signed request: an HTTP status and a JSON object."""

    status: int
    body: dict


def _refused(exc: ExchangeRefused) -> HubAnswer:
    logger.info("exchange request refused: %s", exc.code)
    return HubAnswer(exc.status, exc.as_dict())


def hub_inbox_answer(*, path: str, query: str, headers: Mapping, body: bytes) -> HubAnswer:
    """Verify a signed POST of one item, store it once, acknowledge (201; a repeat: 200)."""
    try:
        key = verify_request(method="POST", path=path, query=query, headers=headers, body=body)
        receipt = hub_receive(
            key=key, body=body, idempotency_key=headers.get(HEADER_IDEMPOTENCY, "")
        )
    except ExchangeRefused as exc:
        return _refused(exc)
    return HubAnswer(201 if receipt.created else 200, receipt.ack)


def hub_alerts_answer(*, path: str, query: str, headers: Mapping) -> HubAnswer:
    """Verify a signed GET and answer the signing country's alerts after ``since``."""
    try:
        key = verify_request(method="GET", path=path, query=query, headers=headers, body=b"")
    except ExchangeRefused as exc:
        return _refused(exc)
    try:
        since = int(parse_qs(query, keep_blank_values=True).get("since", ["0"])[-1])
    except ValueError:
        return HubAnswer(400, {"error": "bad_since", "detail": "since is a number"})
    return HubAnswer(200, {"alerts": alerts_for_country(key.country_id, since_id=since)})


# --- receiving items -----------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    ack: dict
    created: bool


def _envelope(key: CountryKey, body: bytes, header_key: str) -> dict:
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ExchangeRefused(400, "bad_json", "the body is not JSON") from None
    if not isinstance(envelope, dict):
        raise ExchangeRefused(400, "bad_envelope", "the body is not an object")
    for field in ("v", "country", "kind", "idempotency_key", "data"):
        if field not in envelope:
            raise ExchangeRefused(400, "bad_envelope", f"the field {field!r} is missing")
    if envelope["v"] != ENVELOPE_VERSION:
        raise ExchangeRefused(400, "bad_version", f"envelope version {envelope['v']!r}")
    if envelope["country"] != key.country_id:
        raise ExchangeRefused(
            403, "country_mismatch", "the item names another country than the key's"
        )
    if envelope["idempotency_key"] != header_key or not header_key:
        raise ExchangeRefused(
            400, "idempotency_mismatch", "the Idempotency-Key header and the body differ"
        )
    if len(header_key) > 120:
        raise ExchangeRefused(400, "bad_idempotency_key", "the idempotency key is too long")
    if envelope["kind"] not in ItemKind.values:
        raise ExchangeRefused(400, "bad_kind", f"unknown kind {envelope['kind']!r}")
    if not isinstance(envelope["data"], dict):
        raise ExchangeRefused(400, "bad_envelope", "data must be an object")
    return envelope


def hub_receive(*, key: CountryKey, body: bytes, idempotency_key: str) -> Receipt:
    """Store one signed item exactly once, apply it, and acknowledge.

    A repeat of a stored idempotency key changes nothing and returns the
    first acknowledgement; the same key with a different body is refused.
    """
    if len(body) > MAX_BODY_BYTES:
        raise ExchangeRefused(400, "too_large", "the item is too large")
    envelope = _envelope(key, body, idempotency_key)
    kind, data = envelope["kind"], envelope["data"]
    digest = body_digest(body)
    existing = InboxItem.objects.filter(country=key.country_id, idempotency_key=idempotency_key)
    found = existing.first()
    if found is not None:
        return _repeat(found, digest)
    try:
        check_payload(kind, data)  # for a release: k-anonymous at the hub's own k
    except ReleaseNotAnonymous as exc:
        raise ExchangeRefused(422, exc.code, str(exc)) from None
    except PersonalDataRefused as exc:
        raise ExchangeRefused(422, "personal_data", str(exc)) from None
    try:
        with transaction.atomic():
            item = InboxItem.objects.create(
                country_id=key.country_id,
                kind=kind,
                idempotency_key=idempotency_key,
                payload=data,
                payload_digest=digest,
                key_id=key.key_id,
            )
            _apply(item)
            item.ack = {
                "status": "stored",
                "item": item.pk,
                "idempotency_key": idempotency_key,
                "received_at": item.received_at.isoformat(),
            }
            item.save(update_fields=["ack"])
            audit_record(
                actor=None,
                action=AuditAction.IMPORT,
                obj=item,
                kind=kind,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # the same key arrived twice at once: the other request stored it
        found = existing.first()
        if found is None:
            raise
        return _repeat(found, digest)
    return Receipt(item.ack, True)


def _repeat(found: InboxItem, digest: str) -> Receipt:
    if found.payload_digest != digest:
        raise ExchangeRefused(
            409, "idempotency_conflict", "this idempotency key was used for another item"
        )
    return Receipt({**found.ack, "duplicate": True}, False)


def _apply(item: InboxItem) -> None:
    from matis.exchange.consolidate import consolidate_received

    consolidate_received(item)  # reports and statistics: into the hub's own tables
    data = item.payload
    if item.kind == ItemKind.DEIDENTIFIED_CASES:
        DeidentifiedCase.objects.filter(country_id=item.country_id).delete()
        DeidentifiedCase.objects.bulk_create(
            DeidentifiedCase(country_id=item.country_id, inbox_item=item, record=r)
            for r in data["records"]
        )
    elif item.kind == ItemKind.LINKAGE_TOKEN:
        _token_upsert(item.country_id, data)  # stored as pending: a batch run matches it
        match_run_request()
    elif item.kind == ItemKind.TOKEN_REVOKE:
        token_revoke(country_id=item.country_id, subject_ref=_ref(data.get("subject_ref")))
    elif item.kind == ItemKind.ALERT_DECISION:
        alert_decision_apply(
            country_id=item.country_id,
            alert_id=data.get("alert"),
            decision=data.get("decision"),
        )
    elif item.kind == ItemKind.DECISION_STATUS:
        from matis.exchange.decisions import decision_status_apply

        decision_status_apply(country_id=item.country_id, data=data)


def _ref(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ExchangeRefused(400, "bad_subject", "subject_ref is not a UUID") from None


def _token_upsert(country_id: str, data: dict) -> LinkageToken:
    ref = _ref(data.get("subject_ref"))
    schema = data.get("schema")
    if schema != linkage.MATIS_SCHEMA.fingerprint:
        # never stored: compared with tokens of the current schema, its bits mean nothing
        old = {
            linkage.MATIS_SCHEMA_V1.fingerprint: (
                " (the first MATIS schema, which leaks sex and year of birth)"
            ),
            linkage.MATIS_SCHEMA_V2.fingerprint: (
                " (the second MATIS schema, one filter a person and names weighed "
                "as much as their consonants)"
            ),
        }.get(schema, "")
        raise ExchangeRefused(
            400,
            "schema_mismatch",
            f"the token was made under encoding schema {schema!r}{old}; "
            f"this hub takes only schema {linkage.MATIS_SCHEMA.fingerprint}: "
            "update MATIS and send the tokens again",
        )
    countries = data.get("consent_countries")
    if not isinstance(countries, list) or not all(isinstance(c, str) for c in countries):
        raise ExchangeRefused(400, "bad_token", "consent_countries must be a list of codes")
    spellings = data.get("spellings") or []
    if not isinstance(spellings, list) or len(spellings) > linkage.MATIS_SPELLINGS:
        raise ExchangeRefused(
            400,
            "bad_token",
            f"spellings must be a list of at most {linkage.MATIS_SPELLINGS} encodings",
        )
    try:
        filters = [data.get("clk", ""), *spellings]
        linkage.Encodings.from_base64([0] * len(filters), filters, schema_fingerprint="check")
    except (ValueError, TypeError):
        raise ExchangeRefused(
            400, "bad_token", "clk and spellings must be base64 Bloom filters of one length"
        ) from None
    blocks = data.get("block_tokens") or {}
    token, _created = LinkageToken.objects.update_or_create(
        country_id=country_id,
        subject_ref=ref,
        defaults={
            "clk": data["clk"],
            "spellings": spellings,
            "block_tokens": blocks,
            "schema_fingerprint": data["schema"],
            "consent_countries": sorted(set(countries)),
            "updated_at": timezone.now(),
            "match_pending": True,
        },
    )
    return token


# --- matching and alerts ------------------------------------------------------------------
# Receiving a token stores it as pending and asks for a run (match_run_request); a run
# (the background task matis.exchange.tasks.run_match, or `matis exchange match`)
# compares every pending token with every stored token, blocked, and raises the alerts.

MATCH_READ_ROWS = 10_000  # tokens read from the database (and written to Parquet) at a time
MATCH_ALERT_BATCH = 500  # matched pairs turned into alerts per transaction


def consent_permits(a: LinkageToken, b: LinkageToken) -> bool:
    """Both persons consented to sharing with the other's country."""
    return b.country_id in a.consent_countries and a.country_id in b.consent_countries


def _blocking() -> tuple[linkage.BlockingRule, ...]:
    # LSH on the filter bits only: the hardened schema sends no blocking tokens
    return (linkage.MATIS_LSH_BLOCKING,)


def _encodings_of(rows: list[tuple[int, str, list, dict]]) -> linkage.Encodings:
    """Encodings of ``(pk, clk, spellings, block_tokens)`` rows; their ids are the token pks.

    A token with spellings gives one row per filter, all with its pk: the
    matcher keeps the best of them for each pair of tokens.
    """
    rows = [(pk, filt, blocks) for pk, clk, spellings, blocks in rows for filt in [clk, *spellings]]
    blocks = {}
    names = set().union(*(b.keys() for _, _, b in rows)) if rows else set()
    for name in names:
        width = max(len(b.get(name, [])) for _, _, b in rows)
        blocks[name] = np.array(
            [
                [int(h, 16) for h in b.get(name, [])] + [0] * (width - len(b.get(name, [])))
                for _, _, b in rows
            ],
            dtype=np.uint64,
        ).reshape(len(rows), width)
    return linkage.Encodings.from_base64(
        [pk for pk, _, _ in rows],
        [clk for _, clk, _ in rows],
        schema_fingerprint=linkage.MATIS_SCHEMA.fingerprint,
        block_tokens=blocks,
    )


def _token_chunks(pks: list[int], on_read=None):
    """The tokens ``pks`` as :class:`~tipstats.linkage.Encodings`, ``MATCH_READ_ROWS`` at a time.

    A token revoked since ``pks`` was listed is simply not there.
    """
    for start in range(0, len(pks), MATCH_READ_ROWS):
        part = pks[start : start + MATCH_READ_ROWS]
        rows = list(
            LinkageToken.objects.filter(pk__in=part)
            .order_by("pk")
            .values_list("pk", "clk", "spellings", "block_tokens")
        )
        if on_read is not None:
            on_read(len(part))
        if rows:
            yield _encodings_of(rows)


def _concat(chunks) -> linkage.Encodings:
    chunks = list(chunks)
    if not chunks:
        return _encodings_of([])
    names = set().union(*(c.block_tokens.keys() for c in chunks))
    blocks = {}
    for name in names:
        width = max(c.block_tokens[name].shape[1] for c in chunks if name in c.block_tokens)
        blocks[name] = np.concatenate(
            [
                np.pad(c.block_tokens[name], ((0, 0), (0, width - c.block_tokens[name].shape[1])))
                if name in c.block_tokens
                else np.zeros((len(c), width), dtype=np.uint64)
                for c in chunks
            ]
        )
    return linkage.Encodings(
        np.concatenate([c.ids for c in chunks]),
        np.concatenate([c.packed for c in chunks]),
        linkage.MATIS_SCHEMA.fingerprint,
        blocks,
    )


@dataclass
class _Pairs:
    """The matched pairs of a run, in batches of ``(left pk, right pk, dice)``."""

    n_compared: int
    n_pairs: int
    batches: object  # an iterator of lists of (int, int, float)


def _local_pairs(pending: list[int], stored: list[int], progress) -> _Pairs:
    """In this process (DuckDB or numpy): both sides in memory, read a chunk at a time."""
    left = _concat(_token_chunks(pending, progress))
    right = _concat(_token_chunks(stored, progress))
    if not len(left) or not len(right):
        return _Pairs(0, 0, iter(()))
    threshold = conf.linkage_threshold()
    result = linkage.Matcher(
        blocking=_blocking(),
        score="dice",
        threshold=threshold,
        dice_floor=min(threshold, 0.5),
        one_to_one=False,
        backend=conf.linkage_backend(),
    ).link(left, right)
    rows = [(int(r.left_id), int(r.right_id), float(r.dice)) for r in result.matches.itertuples()]
    batches = (
        rows[start : start + MATCH_ALERT_BATCH] for start in range(0, len(rows), MATCH_ALERT_BATCH)
    )
    return _Pairs(result.n_comparisons, len(rows), batches)


def _spark_pairs(run: MatchRun, pending: list[int], stored: list[int], progress) -> _Pairs:
    """On Spark: the tokens written to Parquet a chunk at a time, the job's pairs read back."""
    from tipstats.linkage.spark import read_scored_pairs, spark_link_parquet, write_side

    workdir = conf.spark_workdir()
    workdir.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix=f"match-{run.pk}-", dir=workdir))
    ids: dict[str, list[np.ndarray]] = {"left": [], "right": []}

    def chunks(pks, side):
        for enc in _token_chunks(pks, progress):
            ids[side].append(np.asarray(enc.ids, dtype=np.int64))
            yield enc

    blocking = _blocking()
    try:
        left = write_side(
            chunks(pending, "left"), directory / "left", blocking=blocking, side="left"
        )
        right = write_side(
            chunks(stored, "right"), directory / "right", blocking=blocking, side="right"
        )
        left_pks = np.concatenate(ids["left"]) if ids["left"] else np.empty(0, np.int64)
        right_pks = np.concatenate(ids["right"]) if ids["right"] else np.empty(0, np.int64)
        if not left.n_records or not right.n_records:
            shutil.rmtree(directory, ignore_errors=True)
            return _Pairs(0, 0, iter(()))
        job = spark_link_parquet(
            conf.spark_config().session(),
            left,
            right,
            directory / "out",
            dice_floor=conf.linkage_threshold(),
        )
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise

    # a token with spellings has several filters: keep each pair of tokens once, at its
    # best Dice (the pairs at the threshold are the alerts to raise: few)
    best: dict[tuple[int, int], float] = {}
    try:
        for frame in read_scored_pairs(job.scored_path, batch_rows=MATCH_ALERT_BATCH):
            lp = left_pks[frame["i"].to_numpy(np.int64)]
            rp = right_pks[frame["j"].to_numpy(np.int64)]
            dice = frame["dice"].to_numpy(np.float64)
            pairs = zip(lp.tolist(), rp.tolist(), strict=True)
            for pair_key, value in zip(pairs, dice.tolist(), strict=True):
                if value > best.get(pair_key, -1.0):
                    best[pair_key] = value
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    rows = [(a, b, d) for (a, b), d in best.items()]
    batches = (
        rows[start : start + MATCH_ALERT_BATCH] for start in range(0, len(rows), MATCH_ALERT_BATCH)
    )
    return _Pairs(job.n_comparisons, len(rows), batches)


def _alert_of_pair(a: LinkageToken, b: LinkageToken) -> HubAlert | None:
    """The alert already raised for the pair, in either order."""
    return HubAlert.objects.filter(
        Q(newer_token=a, earlier_token=b) | Q(newer_token=b, earlier_token=a)
    ).first()


def _alert_for(a: LinkageToken, b: LinkageToken, dice: float) -> tuple[HubAlert, bool]:
    newer, earlier = (a, b) if (a.first_received_at, a.pk) > (b.first_received_at, b.pk) else (b, a)
    existing = _alert_of_pair(newer, earlier)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():  # a savepoint: a pair raised meanwhile leaves the batch usable
            alert = HubAlert.objects.create(
                newer_token=newer,
                earlier_token=earlier,
                newer_country_id=newer.country_id,
                earlier_country_id=earlier.country_id,
                similarity=round(dice, 4),
            )
    except IntegrityError:
        existing = _alert_of_pair(newer, earlier)
        if existing is None:
            raise
        return existing, False
    audit_record(
        actor=None,
        action=AuditAction.ALERT_RAISE,
        obj=alert,
        country_id=None,
        newer_country=newer.country_id,
        earlier_country=earlier.country_id,
    )
    return alert, True


def _raise_alerts(batch, *, pending: set[int], cutoff) -> int:
    """Alerts for one batch of matched pairs, in one transaction; returns how many are new.

    The pair's tokens are read again (locked, on PostgreSQL): a token revoked
    since the run began raises nothing, and one received again since then is
    pending again and left to the next run. A pair of two pending tokens is
    found from both sides and counted from the lower pk's side only.
    """
    pks = {a for a, _, _ in batch} | {b for _, b, _ in batch}
    new = 0
    with transaction.atomic():
        tokens = {t.pk: t for t in LinkageToken.objects.select_for_update().filter(pk__in=pks)}
        for a_pk, b_pk, dice in batch:
            a, b = tokens.get(a_pk), tokens.get(b_pk)
            if a is None or b is None or a.pk == b.pk or a.country_id == b.country_id:
                continue
            if b.pk in pending and b.pk < a.pk:
                continue
            if a.updated_at > cutoff or b.updated_at > cutoff or not consent_permits(a, b):
                continue
            new += _alert_for(a, b, dice)[1]
    return new


def match_run_request() -> MatchRun:
    """Ask for a matching run: the queued one, or a new one the worker starts after commit."""
    queued = MatchRun.objects.filter(status=JobStatus.QUEUED).order_by("pk").first()
    if queued is not None:
        return queued
    run = MatchRun.objects.create(backend=conf.linkage_backend())
    transaction.on_commit(lambda: _enqueue_match(run.pk))
    return run


def _enqueue_match(run_id: int) -> None:
    from matis.exchange.tasks import run_match

    run_match.enqueue(run_id)


# The hub runs one matching run at a time: two at once would compare the same
# pending tokens and race to raise the same alerts. On PostgreSQL a session
# advisory lock (freed by the database if the worker dies); elsewhere (SQLite:
# development, one worker process) a lock of this process.
MATCH_LOCK_KEY = 0x4D415449_4D544348  # "MATIMTCH"
_match_lock_local = threading.Lock()


@contextmanager
def _match_lock() -> Iterator[bool]:
    """Try to take the hub's matching lock without waiting; yields whether it was taken."""
    if connection.vendor != "postgresql":
        taken = _match_lock_local.acquire(blocking=False)
        try:
            yield taken
        finally:
            if taken:
                _match_lock_local.release()
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [MATCH_LOCK_KEY])
        taken = bool(cursor.fetchone()[0])
    try:
        yield taken
    finally:
        if taken:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [MATCH_LOCK_KEY])
            except DatabaseError:  # the connection is gone, and the lock with it
                logger.warning("matching lock not released: the connection was lost")


def match_run_execute(run: MatchRun) -> MatchRun:
    """Run ``run`` unless it was taken already or another run is running.

    The run is first claimed (waiting -> running, once: the worker and ``matis
    exchange match`` may both hold it), then the hub's matching lock is tried.
    A run that finds another one running ends at once, phase ``busy``: the
    tokens it was asked for are matched by the running one or by the next run,
    which the running one requests when it ends and tokens are still pending.
    """
    now = timezone.now()
    claimed = MatchRun.objects.filter(pk=run.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, progress_at=now
    )
    if not claimed:
        run.refresh_from_db()
        return run
    with _match_lock() as taken:
        if not taken:
            run.finish(JobStatus.DONE, phase="busy")
            logger.info("matching run %s not run: another run is running", run.pk)
            return run
        _match_run(run)
    if run.status == JobStatus.DONE and LinkageToken.objects.filter(match_pending=True).exists():
        match_run_request()  # received meanwhile, or left by a busy run: the next run takes them
    return run


def _match_run(run: MatchRun) -> MatchRun:
    """The run itself: every token pending when it starts, against every stored token.

    Progress is written to the run (shown on the hub page). Each pending
    token is compared once and then marked matched; alerts are raised in
    batches, each in its own transaction, and an alert is never raised twice,
    so a run that fails part-way is simply run again.
    """
    backend = conf.linkage_backend()
    run.backend = backend
    run.save(update_fields=["backend"])
    run.start(phase="read")
    cutoff = timezone.now()
    # Tokens stored under an older schema are never compared (their bits mean
    # something else); they wait, unmatched, until their country sends them again.
    current = LinkageToken.objects.filter(schema_fingerprint=linkage.MATIS_SCHEMA.fingerprint)
    pending = list(
        current.filter(match_pending=True, updated_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    stored = list(current.order_by("pk").values_list("pk", flat=True))
    total_read = len(pending) + len(stored)
    read = 0

    def progress(n: int) -> None:
        nonlocal read
        read += n
        run.report_progress(phase="read", done=read, total=total_read)

    try:
        if pending:
            if backend == "spark":
                pairs = _spark_pairs(run, pending, stored, progress)
            else:
                pairs = _local_pairs(pending, stored, progress)
            run.report_progress(phase="alerts", done=0, total=pairs.n_pairs)
            done = new = 0
            pending_set = set(pending)
            for batch in pairs.batches:
                new += _raise_alerts(batch, pending=pending_set, cutoff=cutoff)
                done += len(batch)
                run.report_progress(phase="alerts", done=done, total=pairs.n_pairs)
            for start in range(0, len(pending), 1000):
                LinkageToken.objects.filter(
                    pk__in=pending[start : start + 1000], updated_at__lte=cutoff
                ).update(match_pending=False)
        else:
            pairs, new = _Pairs(0, 0, iter(())), 0
    except Exception as exc:
        logger.exception("matching run %s failed", run.pk)
        run.finish(JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:1000])
        return run
    run.finish(
        JobStatus.DONE,
        phase="done",
        n_tokens=len(pending),
        n_compared=pairs.n_compared,
        n_alerts=new,
    )
    logger.info(
        "matching run %s: %s pending tokens, %s pairs compared, %s new alerts",
        run.pk,
        len(pending),
        pairs.n_compared,
        new,
    )
    return run


def match_pending_tokens(*, rematch: bool = False) -> MatchRun:
    """Run matching now, in this process (``matis exchange match``, tests, the demo).

    Takes the queued run if there is one (the worker then finds it done).
    ``rematch`` first marks every token pending: all against all again.
    """
    if rematch:
        LinkageToken.objects.update(match_pending=True)
    run = MatchRun.objects.filter(status=JobStatus.QUEUED).order_by("pk").first()
    if run is None:
        run = MatchRun.objects.create(backend=conf.linkage_backend())
    return match_run_execute(run)


def rematch_all() -> int:
    """Every token against every token of other countries again (blocked); new alerts raised."""
    run = match_pending_tokens(rematch=True)
    if run.status != JobStatus.DONE:
        raise RuntimeError(f"matching failed: {run.error}")
    if run.phase == "busy":
        raise RuntimeError("another matching run is running: the tokens are matched after it")
    return run.n_alerts


def token_revoke(*, country_id: str, subject_ref: uuid.UUID) -> int:
    """Delete a person's token (consent withdrawn); open and dismissed alerts go with it.

    The encoding is also erased from the received items that carried it.
    """
    # the received items that carried the person's encoding keep only the reference
    InboxItem.objects.filter(
        country_id=country_id, kind=ItemKind.LINKAGE_TOKEN, payload__subject_ref=str(subject_ref)
    ).update(payload={"subject_ref": str(subject_ref), "withdrawn": True})
    token = LinkageToken.objects.filter(country_id=country_id, subject_ref=subject_ref).first()
    if token is None:
        return 0
    alerts = HubAlert.objects.filter(Q(newer_token=token) | Q(earlier_token=token))
    for alert in alerts:
        if not alert.is_confirmed:
            alert.delete()
    token.delete()
    return 1


def alert_decision_apply(*, country_id: str, alert_id, decision) -> HubAlert:
    if decision not in (LinkDecision.CONFIRMED, LinkDecision.DISMISSED, LinkDecision.PENDING):
        raise ExchangeRefused(400, "bad_decision", f"unknown decision {decision!r}")
    alert = HubAlert.objects.filter(pk=alert_id if isinstance(alert_id, int) else -1).first()
    if alert is None:
        raise ExchangeRefused(422, "unknown_alert", "no such alert for this country")
    try:
        side = alert.side_of(country_id)
    except ValueError:
        raise ExchangeRefused(422, "unknown_alert", "no such alert for this country") from None
    setattr(alert, f"{side}_decision", decision)
    alert.decided_at = timezone.now()
    alert.save(update_fields=[f"{side}_decision", "decided_at"])
    audit_record(
        actor=None,
        action=AuditAction.ALERT_RESOLVE,
        obj=alert,
        country_id=country_id,
        side=side,
        decision=decision,
    )
    return alert


def alerts_for_country(country_id: str, *, since_id: int = 0) -> list[dict]:
    """The alerts a country may pull: its own subject, the other country, score, decisions."""
    alerts = (
        HubAlert.objects.filter(Q(newer_country=country_id) | Q(earlier_country=country_id))
        .filter(pk__gt=since_id)
        .select_related("newer_token", "earlier_token")
        .order_by("pk")
    )
    out = []
    for alert in alerts:
        side = alert.side_of(country_id)
        other = "earlier" if side == "newer" else "newer"
        own_token = getattr(alert, f"{side}_token")
        if own_token is None:
            continue
        out.append(
            {
                "alert": alert.pk,
                "subject_ref": str(own_token.subject_ref),
                "other_country": getattr(alert, f"{other}_country_id"),
                "similarity": alert.similarity,
                "this_is_newer": side == "newer",
                "raised_at": alert.raised_at.isoformat(),
                "decision": getattr(alert, f"{side}_decision"),
                "other_decision": getattr(alert, f"{other}_decision"),
            }
        )
    return out
