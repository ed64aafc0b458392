"""``matis check``: Django's deploy checks plus MATIS's own, as a subprocess.

It fails on a deliberately weak configuration, naming every finding with what
to do, and passes on the production configuration the admin guide documents
(read from docs/admin-guide.md, with its paths moved into a temporary folder).
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from matis.cases.protection.keys import KeyRing, write_key_file

ROOT = Path(__file__).resolve().parents[3]
GUIDE = ROOT / "docs" / "admin-guide.md"


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}


def _check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "matis.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _ring_file(path: Path) -> Path:
    write_key_file(
        path, KeyRing(data_keys=(secrets.token_bytes(32),), index_key=secrets.token_bytes(32))
    )
    return path


def documented_production_env(tmp_path: Path) -> dict:
    """The `export` lines of the guide's installation block, with /etc/matis and /var/lib/matis moved."""
    text = GUIDE.read_text(encoding="utf-8")
    block = re.search(r"## Installing.*?```sh\n(.*?)```", text, re.S).group(1)
    etc, home = tmp_path / "etc-matis", tmp_path / "var-lib-matis"
    etc.mkdir(mode=0o700)
    home.mkdir(mode=0o700)
    (etc / "secret_key").write_text(secrets.token_urlsafe(64))
    _ring_file(etc / "case-keys")
    env = _clean_env()
    for line in block.splitlines():
        if not line.startswith("export "):
            continue
        for word in shlex.split(line[len("export ") :], comments=True):
            name, _, value = word.partition("=")
            value = value.replace("/etc/matis", str(etc)).replace("/var/lib/matis", str(home))
            command = re.fullmatch(r"\$\(cat (\S+)\)", value)
            if command:
                value = Path(command.group(1)).read_text().strip()
            env[name] = value
    return env


def test_the_documented_production_configuration_passes(tmp_path):
    env = documented_production_env(tmp_path)
    assert env["MATIS_ENV"] == "production" and env["MATIS_REQUIRE_2FA"] == "1"
    done = _check(env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_a_weak_configuration_fails_with_what_to_do(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    env = _clean_env()
    env.update(
        MATIS_ENV="production",
        MATIS_HOME=str(home),
        MATIS_SECRET_KEY=secrets.token_urlsafe(64),
        MATIS_ALLOWED_HOSTS="localhost",
        MATIS_TRUSTED_PROXY="*",
        MATIS_CSRF_TRUSTED_ORIGINS="http://matis.example",
        # keys beside the SQLite database in MATIS_HOME; no mail; 2FA switched off
        MATIS_CASE_KEY_FILE=str(_ring_file(home / "case-keys")),
        MATIS_REQUIRE_2FA="0",
    )
    done = _check(env)
    assert done.returncode != 0
    report = done.stderr
    for finding, advice in [
        ("matis.E002", "Move the file to a folder of its own"),
        ("matis.E006", "Set MATIS_EMAIL_URL"),
        ("matis.W007", "Set MATIS_REQUIRE_2FA=1"),
        ("matis.E008", "Set MATIS_ALLOWED_HOSTS to the public host name"),
        ("matis.E010", "Name only the address(es) of the TLS proxy"),
        ("matis.W012", "Use https:// origins only"),
    ]:
        assert finding in report, (finding, report)
        assert advice in report, (advice, report)


def test_no_proxy_with_https_redirect_and_insecure_http_are_findings(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    env = _clean_env()
    env.update(
        MATIS_ENV="production",
        MATIS_HOME=str(home),
        MATIS_SECRET_KEY=secrets.token_urlsafe(64),
        MATIS_ALLOWED_HOSTS="matis.example",
    )
    done = _check(env)
    assert done.returncode != 0
    assert "matis.E011" in done.stderr and "Set MATIS_TRUSTED_PROXY" in done.stderr
    # No case keys at all: the cases app's own deploy check reports it.
    assert "matis.cases.E001" in done.stderr

    env["MATIS_INSECURE_HTTP"] = "1"
    done = _check(env)
    assert "matis.W009" in done.stderr and "matis.E011" not in done.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"MATIS_SECRET_KEY": "short-and-weak"}, "MATIS_SECRET_KEY is too weak"),
        ({"MATIS_DEBUG": "1"}, "MATIS_DEBUG is on"),
    ],
)
def test_a_refused_configuration_is_a_finding(tmp_path, extra, message):
    env = _clean_env()
    env.update(MATIS_ENV="production", MATIS_HOME=str(tmp_path))
    env.update({"MATIS_SECRET_KEY": secrets.token_urlsafe(64), **extra})
    done = _check(env)
    assert done.returncode == 1
    assert "the configuration is refused" in done.stderr and message in done.stderr


def test_the_demo_profile_is_not_a_deployment(tmp_path):
    env = _clean_env()
    env.update(MATIS_ENV="demo", MATIS_HOME=str(tmp_path), MATIS_DEBUG="1")
    done = _check(env)
    assert done.returncode == 1
    for finding in ("matis.E001", "matis.E004", "matis.E005", "matis.E002"):
        assert finding in done.stderr, (finding, done.stderr)
