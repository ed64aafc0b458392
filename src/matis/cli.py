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
    """Linux: the worker gets SIGTERM when the server process dies, even by SIGKILL."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
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
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


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
    from django.conf import settings
    from django.core.management import call_command

    from matis.access.demo import demo_logins, demo_password
    from matis.common.demo import run_demo_loaders

    print(f"MATIS demo · data directory {settings.MATIS_HOME}")
    print("Applying database migrations ...", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    print("Loading the plan registry and the synthetic demo data ...", flush=True)
    run_demo_loaders(progress=lambda line: print(line, flush=True))
    if args.no_serve:
        return 0
    url = f"http://127.0.0.1:{args.port}/"
    print()
    print(f"  Open {url} in a browser.")
    print(f"  Demo logins (password for all: {demo_password()}):")
    for email, what in demo_logins():
        print(f"    {email:<32} {what}")
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
    return demo_region.run(home=home, port=args.port, every=args.every, serve=not args.no_serve)


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
