"""``matis exchange ...``: queue, push, pull alerts (national); keys and matching (hub)."""

from __future__ import annotations

import argparse
import json
import sys
import time


def _country(args) -> str:
    from matis.exchange import conf

    country = (getattr(args, "country", None) or conf.national_country() or "").upper()
    if not country:
        raise SystemExit("error: name the country with --country or MATIS_COUNTRY")
    return country


def _cmd_enqueue(args: argparse.Namespace) -> int:
    from matis.exchange.services import enqueue_pending

    counts = enqueue_pending(country_id=_country(args))
    print(json.dumps({"queued": counts}))
    return 0


def _cmd_push(args: argparse.Namespace) -> int:
    """Send due items; with --until-empty keep going (waiting for retries) up to --max-seconds."""
    from matis.exchange.models import OutboxItem, OutboxStatus
    from matis.exchange.services import outbox_push

    deadline = time.monotonic() + args.max_seconds
    total: dict[str, int] = {}
    while True:
        result = outbox_push(
            country_id=args.country.upper() if args.country else None,
            limit=args.limit,
            pause=args.pause,
            ignore_schedule=args.now,
        )
        for key, value in result.as_dict().items():
            if isinstance(value, bool):
                total[key] = total.get(key, False) or value
            else:
                total[key] = total.get(key, 0) + value
        for error in result.errors[:3]:
            print(f"  {error}", file=sys.stderr)
        pending = OutboxItem.objects.filter(status=OutboxStatus.PENDING).count()
        if not args.until_empty or pending == 0 or time.monotonic() > deadline:
            break
        time.sleep(args.poll)
    total["pending"] = OutboxItem.objects.filter(status=OutboxStatus.PENDING).count()
    print(json.dumps(total))
    return 0 if total["pending"] == 0 or not args.until_empty else 1


def _cmd_pull(args: argparse.Namespace) -> int:
    from matis.exchange.services import alerts_pull

    print(json.dumps({"new_alerts": alerts_pull(country_id=_country(args))}))
    return 0


def _cmd_relay_pull(args: argparse.Namespace) -> int:
    """Apply what other countries sent through the hub (in order, once); fetch receipts."""
    from matis.exchange.relay import relay_pull, relay_retry_parked

    country = _country(args)
    out = {}
    if args.retry_parked:
        out["retried"] = relay_retry_parked(
            actor=None, country_id=country, sender=args.retry_parked.upper()
        )
    out["applied"] = relay_pull(country_id=country)
    print(json.dumps(out))
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    """Push the outbox, pull relayed items and alerts; with --every, again and again."""
    from matis.exchange.relay import RelayUnavailable, relay_pull
    from matis.exchange.services import alerts_pull, outbox_push
    from matis.exchange.transport import HubUnreachable

    country = _country(args)
    while True:
        result = outbox_push(country_id=country).as_dict()
        try:
            result["relay_applied"] = relay_pull(country_id=country)
            result["new_alerts"] = alerts_pull(country_id=country)
        except (HubUnreachable, RelayUnavailable) as exc:
            result["pull_error"] = str(exc)
        print(json.dumps(result), flush=True)
        if not args.every:
            return 0
        time.sleep(args.every)


def _cmd_relay_keys(args: argparse.Namespace) -> int:
    from matis.exchange.models import PeerKey
    from matis.exchange.relay import (
        fingerprint_display,
        instance_key,
        peer_key_pin,
        relay_keys_register,
    )

    country = _country(args)
    if args.action == "register":
        key = relay_keys_register(country_id=country)
    elif args.action == "pin":
        if not args.peer or not args.fingerprint:
            raise SystemExit("error: pin needs --peer and --fingerprint")
        pinned = peer_key_pin(
            actor=None,
            holder=country,
            peer=args.peer.upper(),
            expected_fingerprint=args.fingerprint,
        )
        print(f"pinned {pinned.peer_id}: {fingerprint_display(pinned.fingerprint)}")
        return 0
    else:
        key = instance_key(country)
    print(f"{country} relay key: {fingerprint_display(key.fingerprint)}")
    print(
        f"  registered at the hub: {key.registered_at.isoformat() if key.registered_at else 'no'}"
    )
    for peer in PeerKey.objects.filter(holder_id=country).order_by("peer_id"):
        print(
            f"  pinned {peer.peer_id} ({peer.source}, {peer.pinned_at:%Y-%m-%d}): "
            f"{fingerprint_display(peer.fingerprint)}"
        )
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from django.db.models import Count

    from matis.exchange.models import InboxItem, OutboxItem

    out = {
        "outbox": {
            r["status"]: r["n"] for r in OutboxItem.objects.values("status").annotate(n=Count("id"))
        },
        "inbox": {
            r["kind"]: r["n"] for r in InboxItem.objects.values("kind").annotate(n=Count("id"))
        },
    }
    print(json.dumps(out))
    return 0


def _cmd_keys_add(args: argparse.Namespace) -> int:
    from matis.exchange.keys import country_key_create

    secret = None
    if args.secret_file:
        with open(args.secret_file, encoding="utf-8") as handle:
            secret = handle.read().strip()
    key, secret = country_key_create(
        actor=None,
        country_id=args.country.upper(),
        key_id=args.key_id,
        secret=secret,
        valid_days=args.valid_days,
    )
    print(f"key id: {key.key_id}")
    if not args.secret_file:
        print(f"secret (shown once; give it to {key.country_id} over a secure channel): {secret}")
    return 0


def _cmd_keys_rotate(args: argparse.Namespace) -> int:
    from matis.exchange.keys import country_key_rotate

    key, secret = country_key_rotate(
        actor=None, country_id=args.country.upper(), overlap_days=args.overlap_days
    )
    print(f"new key id: {key.key_id}; older keys stay valid {args.overlap_days} more days")
    print(f"secret (shown once): {secret}")
    return 0


def _cmd_keys_revoke(args: argparse.Namespace) -> int:
    from matis.exchange.keys import country_key_revoke

    key = country_key_revoke(actor=None, key_id=args.key_id)
    print(f"revoked {key.key_id} ({key.country_id})")
    return 0


def _cmd_keys_list(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from matis.exchange.models import CountryKey

    now = timezone.now()
    for key in CountryKey.objects.order_by("country_id", "-valid_from"):
        state = "valid" if key.is_valid_at(now) else "not valid"
        until = key.valid_until.isoformat() if key.valid_until else "-"
        print(f"{key.country_id} {key.key_id} {state} from {key.valid_from:%Y-%m-%d} until {until}")
    return 0


def _cmd_match(args: argparse.Namespace) -> int:
    """Run a matching run now (the one the worker would run), with --all every token again."""
    from matis.common.jobs import JobStatus
    from matis.exchange.hub import match_pending_tokens

    run = match_pending_tokens(rematch=args.all)
    out = {
        "run": run.pk,
        "status": run.status,
        "backend": run.backend,
        "tokens": run.n_tokens,
        "pairs_compared": run.n_compared,
        "new_alerts": run.n_alerts,
    }
    if run.error:
        out["error"] = run.error
    if run.phase == "busy":  # another run holds the lock: it or the next one matches the tokens
        out["note"] = run.phase_label()
    print(json.dumps(out))
    return 0 if run.status == JobStatus.DONE else 1


def _cmd_consolidate(args: argparse.Namespace) -> int:
    from matis.exchange.consolidate import consolidate_all

    result = consolidate_all(country_id=args.country.upper() if args.country else None)
    print(json.dumps({"consolidated": result.counts}))
    return 0


def add_commands(subparsers, setup) -> None:
    parser = subparsers.add_parser("exchange", help="exchange with the regional hub")
    sub = parser.add_subparsers(dest="exchange_command", required=True)

    def wrap(func):
        def run(args):
            setup()
            return func(args)

        return run

    enqueue = sub.add_parser("enqueue", help="queue everything approved or consented")
    enqueue.add_argument("--country", help="ISO alpha-3 (default: MATIS_COUNTRY)")
    enqueue.set_defaults(func=wrap(_cmd_enqueue))

    push = sub.add_parser("push", help="send queued items to the hub (retries with backoff)")
    push.add_argument("--country", help="only this country's items (ISO alpha-3)")
    push.add_argument("--limit", type=int, help="send at most this many items")
    push.add_argument("--pause", type=float, default=0.0, help="seconds between items")
    push.add_argument("--now", action="store_true", help="ignore the retry schedule")
    push.add_argument("--until-empty", action="store_true", help="keep retrying until sent")
    push.add_argument("--max-seconds", type=float, default=300.0)
    push.add_argument("--poll", type=float, default=1.0, help="seconds between rounds")
    push.set_defaults(func=wrap(_cmd_push))

    pull = sub.add_parser("pull-alerts", help="fetch this country's re-trafficking alerts")
    pull.add_argument("--country", help="ISO alpha-3 (default: MATIS_COUNTRY)")
    pull.set_defaults(func=wrap(_cmd_pull))

    relay_pull = sub.add_parser(
        "pull", help="apply items other countries sent through the hub (relay), in order"
    )
    relay_pull.add_argument("--country", help="ISO alpha-3 (default: MATIS_COUNTRY)")
    relay_pull.add_argument(
        "--retry-parked", metavar="SENDER", help="first let this sender's parked item be retried"
    )
    relay_pull.set_defaults(func=wrap(_cmd_relay_pull))

    sync = sub.add_parser("sync", help="push the outbox and pull relay items and alerts")
    sync.add_argument("--country", help="ISO alpha-3 (default: MATIS_COUNTRY)")
    sync.add_argument("--every", type=float, default=0.0, help="repeat every N seconds")
    sync.set_defaults(func=wrap(_cmd_sync))

    relay_keys = sub.add_parser("relay-keys", help="this instance's relay key and pinned keys")
    relay_keys.add_argument(
        "action", choices=("show", "register", "pin"), nargs="?", default="show"
    )
    relay_keys.add_argument("--country", help="ISO alpha-3 (default: MATIS_COUNTRY)")
    relay_keys.add_argument("--peer", help="pin: the other country (ISO alpha-3)")
    relay_keys.add_argument(
        "--fingerprint", help="pin: the fingerprint read out by its administrator"
    )
    relay_keys.set_defaults(func=wrap(_cmd_relay_keys))

    status = sub.add_parser("status", help="counts of the outbox and the inbox (JSON)")
    status.set_defaults(func=wrap(_cmd_status))

    match = sub.add_parser(
        "match", help="hub: match the pending tokens against all (blocked), raise alerts"
    )
    match.add_argument("--all", action="store_true", help="match every token again")
    match.set_defaults(func=wrap(_cmd_match))

    consolidate = sub.add_parser(
        "consolidate", help="hub: import received reports and statistics not yet imported"
    )
    consolidate.add_argument("--country", help="only this country's items (ISO alpha-3)")
    consolidate.set_defaults(func=wrap(_cmd_consolidate))

    keys = sub.add_parser("keys", help="hub: per-country credentials")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    add = keys_sub.add_parser("add", help="issue a key for a country")
    add.add_argument("--country", required=True)
    add.add_argument("--key-id")
    add.add_argument("--secret-file", help="use the secret in this file (else one is made)")
    add.add_argument("--valid-days", type=int)
    add.set_defaults(func=wrap(_cmd_keys_add))
    rotate = keys_sub.add_parser("rotate", help="issue a new key; old ones expire after overlap")
    rotate.add_argument("--country", required=True)
    rotate.add_argument("--overlap-days", type=int, default=14)
    rotate.set_defaults(func=wrap(_cmd_keys_rotate))
    revoke = keys_sub.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("--key-id", required=True)
    revoke.set_defaults(func=wrap(_cmd_keys_revoke))
    listing = keys_sub.add_parser("list", help="list keys and validity")
    listing.set_defaults(func=wrap(_cmd_keys_list))
