"""The systemd units of the production layout (deploy/systemd/) are valid and complete.

``systemd-analyze verify`` checks each unit as systemd would load it, with
the installed paths (/opt/matis/bin/matis, /etc/matis/matis.env) pointed at
this checkout's ``matis`` and a filled-in environment file; where systemd is
not installed, that test is skipped and the parsing tests below still run.
"""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from matis.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
ENV_EXAMPLE = UNITS / "matis.env.example"
ADMIN_GUIDE = ROOT / "docs" / "admin-guide.md"
INSTALLED_MATIS = "/opt/matis/bin/matis"
UNIT_FILES = sorted(UNITS.glob("*.service"))


def read_unit(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in systemd
    parser.read(path)
    return parser


def exec_lines(path: Path) -> list[list[str]]:
    lines = []
    for raw in path.read_text().splitlines():
        key, _, value = raw.partition("=")
        if key.strip() in {"ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop"}:
            lines.append(shlex.split(value))
    return lines


def documented_variables() -> set[str]:
    return set(re.findall(r"`(MATIS_[A-Z0-9_]+)`", ADMIN_GUIDE.read_text()))


def test_there_is_a_web_unit_and_a_worker_unit():
    assert {p.name for p in UNIT_FILES} == {"matis-web.service", "matis-worker.service"}


@pytest.mark.parametrize("unit", UNIT_FILES, ids=lambda p: p.name)
def test_every_command_is_a_matis_command_that_parses(unit):
    """Each Exec line runs the installed `matis` with arguments its own parser accepts."""
    parser = build_parser()
    for argv in exec_lines(unit):
        assert argv[0] == INSTALLED_MATIS, argv
        args = parser.parse_args(argv[1:])  # SystemExit on an unknown command or option
        assert callable(args.func)


def test_web_runs_without_a_worker_and_the_worker_runs_apart():
    web = [argv[1:] for argv in exec_lines(UNITS / "matis-web.service")]
    worker = [argv[1:] for argv in exec_lines(UNITS / "matis-worker.service")]
    assert web[-1][:2] == ["serve", "--no-worker"]
    assert worker == [["worker"]]


@pytest.mark.parametrize("unit", UNIT_FILES, ids=lambda p: p.name)
def test_units_run_as_the_matis_account_from_the_env_file(unit):
    service = read_unit(unit)["Service"]
    assert service["User"] == "matis" and service["Group"] == "matis"
    assert service["EnvironmentFile"] == "/etc/matis/matis.env"
    assert service["UMask"] == "0077"
    assert service["Restart"] == "on-failure"
    assert read_unit(unit)["Install"]["WantedBy"] == "multi-user.target"


def test_every_variable_of_the_env_file_is_documented():
    keys = [
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert "MATIS_SECRET_KEY" in keys and "MATIS_DATABASE_URL" in keys
    assert set(keys) - documented_variables() == set()


def test_the_env_file_carries_no_secret():
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert values["MATIS_SECRET_KEY"] == ""
    assert values["MATIS_METRICS_TOKEN"] == ""


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_systemd_analyze_verify_accepts_the_units(tmp_path):
    # the console script of the environment the tests run in
    matis = Path(sys.executable).with_name("matis")
    if not matis.exists():
        pytest.skip("the matis console script is not installed beside this Python")
    env_file = tmp_path / "matis.env"
    env_file.write_text(ENV_EXAMPLE.read_text())
    for unit in UNIT_FILES:
        text = unit.read_text().replace(INSTALLED_MATIS, str(matis))
        text = text.replace("/etc/matis/matis.env", str(env_file))
        (tmp_path / unit.name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / u.name) for u in UNIT_FILES)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
