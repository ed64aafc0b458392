"""A region on loopback: the hub and national instances as separate processes, separate databases.

Each instance is a ``matis`` process with its own ``MATIS_HOME`` (its own
SQLite database, secret key, vault key and, for a national instance, its own
case-data keys). The hub issues each country a credential; each national
instance gets its key file, the hub's URL and the linkage secret the
governments share. Used by the end-to-end tests (``tests/matis/exchange``)
and by ``matis demo --region``.

    region = Region(tmp_path, countries=("THA", "KHM"))
    region.migrate()            # or region.migrate(template=path_of_a_migrated_db)
    region.issue_credentials()
    region.start()              # collectstatic (production), matis serve for every instance,
                                # waits for /health/
    ...
    region.stop()
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

MATIS = [sys.executable, "-m", "matis.cli"]
HUB = "hub"

# The static files collected for a production-profile region in this process: later
# regions (each test builds its own) copy them instead of collecting again.
_collected_static: Path | None = None


def _remember_static(path: Path) -> None:
    global _collected_static
    _collected_static = path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_environment() -> dict:
    """This process's environment without any MATIS_ or DJANGO_ variable."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}


@dataclass
class Instance:
    """One MATIS process: the hub (``name == "hub"``) or a national instance (alpha-3)."""

    name: str
    home: Path
    port: int
    env: dict
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def is_hub(self) -> bool:
        return self.name == HUB

    @property
    def db(self) -> Path:
        return self.home / "matis.sqlite3"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def run(self, *args, timeout: float = 300) -> str:
        """``matis <args>`` in this instance's environment; its output (fails loudly)."""
        return self._run([*MATIS, *map(str, args)], timeout)

    def python(self, script: str | Path, *args, timeout: float = 300) -> str:
        """A Python script in this instance's environment (it calls django.setup() itself)."""
        return self._run([sys.executable, str(script), *map(str, args)], timeout)

    def _run(self, cmd: list[str], timeout: float) -> str:
        done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            cmd, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{self.name}: {' '.join(cmd[2:])} failed ({done.returncode})\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
            )
        return done.stdout

    def popen(self, *args: str, **kwargs) -> subprocess.Popen:
        """``matis <args>`` started in the background (its own process group)."""
        return subprocess.Popen(  # noqa: S603
            [*MATIS, *args], env=self.env, start_new_session=True, **kwargs
        )

    def serve(self, *, worker: bool = False, threads: int = 4, wait: float = 90) -> None:
        """Start ``matis serve`` and wait until ``/health/`` answers."""
        args = ["serve", "--port", str(self.port), "--threads", str(threads)]
        if not worker:
            args.append("--no-worker")
        self.proc = self.popen(*args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "health/", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} did not start: {self.proc.stderr.read()[-3000:]!r}"
                )
        raise RuntimeError(f"{self.name} did not answer on {self.url} within {wait} s")

    def kill(self) -> None:
        """SIGKILL the server's whole process group: no clean shutdown, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)

    def terminate(self, timeout: float = 20) -> None:
        """Stop the server as Ctrl-C does (SIGTERM), SIGKILL if it does not stop in time."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of a read-only query on this instance's database file."""
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10) as conn:
            return conn.execute(sql, params).fetchall()

    def dump(self) -> str:
        """The whole database as SQL text (``sqlite3`` iterdump)."""
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()


class Region:
    """The hub and national instances under ``root`` (one directory each)."""

    def __init__(
        self,
        root: Path,
        countries: tuple[str, ...] = ("THA", "KHM"),
        *,
        profile: str = "production",
        extra_env: dict | None = None,
        ports: dict[str, int] | None = None,
        ephemeral_secrets: bool | None = None,
    ):
        """``ephemeral_secrets`` (default: not for the demo profile) gives each process fresh
        secret, vault and case keys in its environment; the demo profile instead makes and
        keeps them in each instance's home, so a second run opens the same databases."""
        self.root = Path(root)
        self.countries = tuple(c.upper() for c in countries)
        self.profile = profile
        ports = ports or {}
        ephemeral = profile != "demo" if ephemeral_secrets is None else ephemeral_secrets
        linkage_secret = self._secret_file("linkage-secret", secrets.token_urlsafe(24))
        self.instances: dict[str, Instance] = {}
        for name in (HUB, *self.countries):
            home = self.root / name.lower()
            home.mkdir(parents=True, exist_ok=True, mode=0o700)
            env = clean_environment()
            env.update(
                MATIS_ENV=profile,
                MATIS_HOME=str(home),
                MATIS_ROLE="regional" if name == HUB else "national",
                MATIS_INSECURE_HTTP="1",
                MATIS_ALLOWED_HOSTS="127.0.0.1,localhost",
                MATIS_LOG_LEVEL="ERROR",
                MATIS_EXCHANGE_LOCAL_HUB="0",
            )
            if ephemeral:
                env.update(
                    MATIS_SECRET_KEY=secrets.token_urlsafe(50),
                    MATIS_EXCHANGE_VAULT_KEY=secrets.token_urlsafe(40),
                )
            if name != HUB:
                env.update(
                    MATIS_COUNTRY=name,
                    MATIS_LINKAGE_SECRET_FILE=str(linkage_secret),
                    MATIS_EXCHANGE_KEY_FILE=str(self.root / f"{name.lower()}-exchange-key"),
                )
                if ephemeral:
                    env["MATIS_CASE_KEY_FILE"] = str(self._case_keys(name))
            env.update(extra_env or {})
            self.instances[name] = Instance(name, home, ports.get(name) or free_port(), env)
        hub_url = self.hub.url
        for country in self.countries:
            self.instances[country].env["MATIS_EXCHANGE_HUB_URL"] = hub_url

    # --- set-up ---------------------------------------------------------------------------

    def _secret_file(self, name: str, content: str) -> Path:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.root / name
        if not path.exists():
            path.write_text(content)
            path.chmod(0o600)
        return path

    def _case_keys(self, country: str) -> Path:
        return self._secret_file(
            f"{country.lower()}-case-keys",
            f"index {base64.b64encode(secrets.token_bytes(32)).decode()}\n"
            f"data {base64.b64encode(secrets.token_bytes(32)).decode()}\n",
        )

    @property
    def hub(self) -> Instance:
        return self.instances[HUB]

    def __getitem__(self, name: str) -> Instance:
        return self.instances[name.upper() if name != HUB else name]

    def __iter__(self):
        return iter(self.instances.values())

    def migrate(self, *, template: Path | None = None) -> None:
        """Create each database: a copy of ``template`` (a migrated empty one), or migrate."""
        for instance in self:
            if instance.db.exists():
                continue
            if template is not None:
                shutil.copy(template, instance.db)
            else:
                instance.run("manage", "migrate", "-v0", timeout=900)

    def issue_credentials(self) -> None:
        """The hub issues each country a credential; each national instance gets its key file."""
        for country in self.countries:
            key_file = self.root / f"{country.lower()}-exchange-key"
            if key_file.exists():
                continue
            secret = secrets.token_urlsafe(32)
            secret_file = self._secret_file(f"{country.lower()}-exchange-secret", secret)
            key_id = f"{country.lower()}-1"
            self.hub.run("exchange", "keys", "add", "--country", country, "--key-id", key_id,
                         "--secret-file", str(secret_file))  # fmt: skip
            key_file.write_text(f"{key_id} {secret_file.read_text().strip()}")
            key_file.chmod(0o600)

    def collect_static(self) -> None:
        """Production profile: the static files (hashed, compressed) in every instance's home.

        Production serves ``/static/`` from ``STATIC_ROOT`` (``MATIS_HOME/static``) through
        the manifest storage, so a page naming a file that was never collected answers
        500. ``collectstatic`` runs once, for the first instance; the others get a copy.
        Nothing to do for the demo and test profiles (they serve from the package).
        """
        if self.profile != "production":
            return
        first = _collected_static if _collected_static and _collected_static.exists() else None
        for instance in self:
            target = instance.home / "static"
            if (target / "staticfiles.json").exists():
                first = first or target
                continue
            if first is None:
                instance.run("manage", "collectstatic", "--noinput", "-v0", timeout=600)
                first = target
                _remember_static(target)
            else:
                shutil.copytree(first, target, dirs_exist_ok=True)

    # --- running ----------------------------------------------------------------------------

    def start(self, *, worker: bool = False) -> None:
        """Serve the hub first, then every national instance (static files collected first)."""
        self.collect_static()
        for instance in self:
            if instance.proc is None or instance.proc.poll() is not None:
                instance.serve(worker=worker)

    def stop(self) -> None:
        for instance in reversed(list(self)):
            instance.terminate()
