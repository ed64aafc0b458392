"""The ``matis`` command: demo, serve, manage, plans load (and app commands)."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from importlib import import_module

APP_CLI_MODULES = [
    "matis.official_statistics.cli",
    "matis.monitoring.cli",
    "matis.reports.cli",
    "matis.cases.cli",
    "matis.registers.cli",
    "matis.analytics.cli",
    "matis.returns.cli",
    "matis.justice.cli",
    "matis.exchange.cli",
    "matis.cooperation.cli",
    "matis.publication.cli",
]


def _setup(env: str | None = None) -> None:
    # Files MATIS creates (database, uploads, keys, logs) are readable by its own
    # account only: a session key or case file must not be readable by others.
    os.umask(0o077)
    if env:
        os.environ.setdefault("MATIS_ENV", env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")
    import django

    django.setup()


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the worker is killed when the server process dies, even by SIGKILL (SIGKILL:
    its SIGTERM would let it finish the job in hand, minutes for a demo part)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except OSError:
        pass


# The django-tasks database worker as MATIS runs it: every queue, polled twice a second.
WORKER_ARGS = ["db_worker", "--queue-name", "*", "--interval", "0.5", "--no-startup-delay"]


def _start_worker() -> subprocess.Popen:
    """Run the background-job worker (reports, imports, analyses) beside the web server."""
    cmd = [sys.executable, "-m", "matis.cli", "manage", *WORKER_ARGS]
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    return subprocess.Popen(cmd, env=dict(os.environ), preexec_fn=preexec)  # noqa: S603


def _stop_on_sigterm(signum, frame) -> None:
    # SIGTERM (systemd, docker stop, kill) ends the server like Ctrl+C does, so the
    # `finally` below stops the worker instead of leaving it behind.
    raise KeyboardInterrupt


def waitress_options() -> dict:
    """Waitress settings from Django settings: believe forwarded headers from the proxy only.

    ``max_request_body_size`` is ``MATIS_MAX_REQUEST_BYTES``; it may not be
    below the hub's item limit, or the server would refuse items the hub
    documents as accepted before the hub could answer.
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from matis.exchange.hub import MAX_BODY_BYTES

    if settings.MATIS_MAX_REQUEST_BYTES < MAX_BODY_BYTES:
        raise ImproperlyConfigured(
            f"MATIS_MAX_REQUEST_BYTES ({settings.MATIS_MAX_REQUEST_BYTES}) is below the hub's "
            f"item limit ({MAX_BODY_BYTES} bytes)"
        )
    options: dict = {"ident": "MATIS", "max_request_body_size": settings.MATIS_MAX_REQUEST_BYTES}
    if settings.TRUSTED_PROXIES:
        options.update(
            trusted_proxy=" ".join(settings.TRUSTED_PROXIES),
            trusted_proxy_count=settings.TRUSTED_PROXY_COUNT,
            trusted_proxy_headers="x-forwarded-proto x-forwarded-for x-forwarded-host",
            clear_untrusted_proxy_headers=True,
        )
    else:
        # No proxy configured: forwarded headers from clients are never believed.
        options["clear_untrusted_proxy_headers"] = True
    return options


def recover_stale_jobs() -> dict[str, int]:
    """Mark failed the jobs a crashed worker left "running", before a new worker starts."""
    import datetime as dt

    from django.conf import settings

    from matis.common.jobs import jobs_fail_stale

    return jobs_fail_stale(
        older_than=dt.timedelta(minutes=settings.MATIS_STALE_JOB_MINUTES),
        reason="Interrupted: the server stopped while this job was running. Start it again.",
    )


def _serve(host: str, port: int, threads: int, *, worker: bool = True) -> None:
    from waitress import serve

    from matis.wsgi import application

    if worker:
        recover_stale_jobs()
    proc = _start_worker() if worker else None
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        serve(application, host=host, port=port, threads=threads, **waitress_options())
    except KeyboardInterrupt:
        pass
    finally:
        if proc is not None:
            stop_worker(proc)


# Seconds the worker has to finish after SIGTERM before it is killed. Its SIGTERM means
# "finish the job in hand first", and a demo part or a report can take minutes: the
# server would stop and leave it running. A job cut short is marked failed at the next
# start (recover_stale_jobs) and the demo queues its parts again.
WORKER_STOP_SECONDS = 5


def stop_worker(proc: subprocess.Popen, grace: float = WORKER_STOP_SECONDS) -> None:
    """Stop the worker for good: SIGTERM, then SIGKILL after ``grace`` seconds.

    A second Ctrl+C (or SIGTERM) while it stops is ignored rather than interrupting
    the wait, which would leave the worker behind.
    """
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def cmd_demo(args: argparse.Namespace) -> int:
    if args.region:
        return _demo_region(args)
    os.environ["MATIS_ENV"] = "demo"
    if not _port_free("127.0.0.1", args.port):
        print(
            f"error: port {args.port} on 127.0.0.1 is in use; try `matis demo --port {args.port + 1}`",
            file=sys.stderr,
        )
        return 2
    _setup("demo")
    import time

    from django.conf import settings
    from django.core.management import call_command

    from matis.access.demo import demo_login_groups, demo_mail_note, demo_password
    from matis.common.demo import run_demo_loaders

    started = time.monotonic()
    print(f"MATIS demo · data directory {settings.MATIS_HOME}")
    print("Applying database migrations ...", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    print(f"  migrations applied ({time.monotonic() - started:.1f} s)", flush=True)
    if not args.wait:
        # No worker of this demo runs yet: a part left "running" was interrupted by the
        # last stop, and is queued again below.
        import datetime as dt

        from matis.common.jobs import jobs_fail_stale
        from matis.common.models import DemoJob

        jobs_fail_stale(older_than=dt.timedelta(0), reason="Interrupted", only=[DemoJob])
    print("Loading the plan registry and the synthetic demo data ...", flush=True)
    queued = run_demo_loaders(
        progress=lambda line: print(line, flush=True), background=not args.wait
    )
    print(f"  demo data ready to serve ({time.monotonic() - started:.1f} s)", flush=True)
    if queued:
        print(
            "  Prepared by the background worker after the server starts (its pages say "
            f"so until done): {', '.join(queued)}",
            flush=True,
        )
    if args.no_serve:
        return 0
    url = f"http://127.0.0.1:{args.port}/"
    print()
    print(f"  Open {url} in a browser.")
    print(f"  Demo logins (password for all: {demo_password()}):")
    for group, logins in demo_login_groups(existing=True):
        print(f"    {group}")
        for role, email in logins:
            print(f"      {role:<42} {email}")
    print(
        "  A statistics submission is approved by someone other than its submitter: "
        "e.g. statistics.vnm submits, approver.vnm approves."
    )
    print(f"  {demo_mail_note(settings)}")
    print("  Press Ctrl+C to stop.", flush=True)
    _serve("127.0.0.1", args.port, threads=8, worker=not args.no_worker)
    return 0


def _demo_region(args: argparse.Namespace) -> int:
    """The hub and two national instances, each its own process and database (matis.demo_region)."""
    from pathlib import Path

    from matis import demo_region

    for port in (args.port, args.port + 1, args.port + 2):
        if not _port_free("127.0.0.1", port):
            print(
                f"error: port {port} on 127.0.0.1 is in use; the regional demo needs "
                f"{args.port}-{args.port + 2}: try `matis demo --region --port {args.port + 10}`",
                file=sys.stderr,
            )
            return 2
    home = Path(os.environ.get("MATIS_HOME") or Path.home() / ".matis")
    return demo_region.run(
        home=home, port=args.port, every=args.every, serve=not args.no_serve, wait=args.wait
    )


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    _serve(args.host, args.port, args.threads, worker=not args.no_worker)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """The background-job worker as its own process (beside `matis serve --no-worker`)."""
    _setup()
    from django.core.management import call_command

    recover_stale_jobs()
    call_command(*WORKER_ARGS)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["matis manage", *args.rest])
    return 0


def cmd_plans_load(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command

    call_command(
        "load_plans",
        *(["--file", args.file] if args.file else []),
        *(["--force"] if args.force else []),
    )
    return 0


def read_passphrase(args: argparse.Namespace, *, confirm: bool) -> str:
    """The operator passphrase: from a file, a named environment variable or a prompt.

    Never an argument in clear: command lines are visible to other accounts.
    """
    if args.passphrase_file:
        try:
            with open(args.passphrase_file, encoding="utf-8") as handle:
                text = handle.readline().rstrip("\r\n")
        except OSError as exc:
            raise SystemExit(
                f"error: passphrase file {args.passphrase_file}: {exc.strerror}"
            ) from None
        if not text:
            raise SystemExit(f"error: passphrase file {args.passphrase_file} is empty")
        return text
    if args.passphrase_env:
        text = os.environ.get(args.passphrase_env, "")
        if not text:
            raise SystemExit(f"error: environment variable {args.passphrase_env} is not set")
        return text
    import getpass

    text = getpass.getpass("Passphrase for the key export: ")
    if confirm and getpass.getpass("Repeat the passphrase: ") != text:
        raise SystemExit("error: the two passphrases differ")
    return text


def _add_passphrase_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--passphrase-file", metavar="FILE", help="read the passphrase from the first line of FILE"
    )
    group.add_argument(
        "--passphrase-env",
        metavar="NAME",
        help="read the passphrase from environment variable NAME (default: prompt)",
    )


def cmd_backup(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args, confirm=True)
    _setup()
    from matis.ops.backup import BackupError, backup_create
    from matis.ops.keyexport import KeyExportError

    try:
        result = backup_create(
            output=args.output,
            keys_output=args.keys_output,
            passphrase=passphrase,
            progress=lambda line: print(line, flush=True),
        )
    except (BackupError, KeyExportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = result.manifest["database"]["row_counts"]
    print(f"Archive:    {result.archive}")
    print(
        f"  {len(counts)} tables, {sum(counts.values())} rows, {len(result.manifest['files'])} files"
    )
    print(f"Key export: {result.keys}")
    print("  Keep the key export and its passphrase apart from the archive (docs/admin-guide.md).")
    return 0


def _print_verification(verification) -> int:
    print(
        f"Verified {verification.tables} tables ({verification.rows} rows), "
        f"{verification.encrypted_values} encrypted values, {verification.files} files."
    )
    if verification.ok:
        print("Verification passed.")
        return 0
    for problem in verification.problems:
        print(f"  problem: {problem}", file=sys.stderr)
    print(f"Verification FAILED: {len(verification.problems)} problems.", file=sys.stderr)
    return 1


def cmd_restore(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args, confirm=False)
    _setup()
    from matis.ops.backup import BackupError, backup_restore

    keys = args.keys or f"{args.archive}.keys"
    try:
        result = backup_restore(
            archive=args.archive,
            keys=keys,
            passphrase=passphrase,
            force=args.force,
            secrets_out=args.secrets_out,
            progress=lambda line: print(line, flush=True),
        )
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Restored {args.archive} ({result.manifest['created_at']}), {result.files} files.")
    if result.key_file:
        print(f"Case-data keys written to {result.key_file}.")
    if result.secret_names:
        where = f"written to {args.secrets_out}" if args.secrets_out else "not written"
        print(
            f"The key export also holds {', '.join(result.secret_names)} ({where}): set them in "
            "the service's environment (`--secrets-out FILE` writes them, mode 0600)."
        )
    return _print_verification(result.verification)


def cmd_verify(args: argparse.Namespace) -> int:
    _setup()
    from matis.ops.backup import BackupError, read_manifest, verify_instance

    try:
        manifest = read_manifest(args.archive)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return _print_verification(verify_instance(manifest))


def cmd_check(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    try:
        _setup()
    except ImproperlyConfigured as exc:
        print(f"ERROR: the configuration is refused: {exc}", file=sys.stderr)
        return 1
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=True, fail_level="WARNING")
    except SystemCheckError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matis", description="MATIS - Mekong Anti-Trafficking Information System"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo", help="run the demo: SQLite in MATIS_HOME, demo data, local server"
    )
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="set up the demo data and exit")
    demo.add_argument(
        "--no-worker", action="store_true", help="do not start the background-job worker"
    )
    demo.add_argument(
        "--wait",
        action="store_true",
        help="prepare all the demo data before serving or exiting, none in the background",
    )
    demo.add_argument(
        "--region",
        action="store_true",
        help="the hub and two national instances (THA, KHM) as separate processes and databases",
    )
    demo.add_argument(
        "--every", type=float, default=5.0, help="--region: seconds between exchange syncs"
    )
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="serve MATIS with the production WSGI server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a background-job worker (run `matis worker` apart)",
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser(
        "worker",
        help="run the background-job worker alone (with `matis serve --no-worker`); "
        "stops on SIGTERM after the job it is running",
    )
    worker.set_defaults(func=cmd_worker)

    manage = sub.add_parser("manage", help="run any Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    plans = sub.add_parser("plans", help="the COMMIT plan registry")
    plans_sub = plans.add_subparsers(dest="plans_command", required=True)
    load = plans_sub.add_parser("load", help="load or update the plan registry (idempotent)")
    load.add_argument("--file", help="registry YAML (default: the bundled one)")
    load.add_argument("--force", action="store_true")
    load.set_defaults(func=cmd_plans_load)

    backup = sub.add_parser(
        "backup",
        help="archive the database, uploaded files and configuration; export the keys apart",
    )
    backup.add_argument(
        "--output", default=".", help="folder (a dated name is chosen) or archive file name"
    )
    backup.add_argument(
        "--keys-output", metavar="FILE", help="key export (default: the archive's name + .keys)"
    )
    _add_passphrase_options(backup)
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser(
        "restore", help="restore a backup into an empty instance, then verify it"
    )
    restore.add_argument("archive", help="the backup archive (.tar.gz)")
    restore.add_argument("--keys", metavar="FILE", help="key export (default: ARCHIVE.keys)")
    restore.add_argument(
        "--force", action="store_true", help="overwrite an instance that already holds data"
    )
    restore.add_argument(
        "--secrets-out",
        metavar="FILE",
        help="write the export's other secrets (MATIS_SECRET_KEY, ...) as NAME=value lines",
    )
    _add_passphrase_options(restore)
    restore.set_defaults(func=cmd_restore)

    verify = sub.add_parser(
        "verify", help="compare this instance with a backup's manifest (after a restore)"
    )
    verify.add_argument("archive", help="the backup archive (.tar.gz)")
    verify.set_defaults(func=cmd_verify)

    check = sub.add_parser(
        "check", help="Django's deployment checks and MATIS's own; non-zero exit on a finding"
    )
    check.set_defaults(func=cmd_check)

    # Feature apps add their own sub-commands in matis/<app>/cli.py: add_commands(sub, setup)
    for module_name in APP_CLI_MODULES:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.add_commands(sub, _setup)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
