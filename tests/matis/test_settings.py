"""Production settings refuse to start without a secret or with debugging on."""

import os
import subprocess
import sys


def _import_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import matis.settings"], env=clean, capture_output=True, text=True
    )


def test_production_needs_a_secret_key(tmp_path):
    result = _import_settings(MATIS_ENV="production", MATIS_HOME=str(tmp_path))
    assert result.returncode != 0
    assert "MATIS_SECRET_KEY is not set" in result.stderr


def test_production_refuses_debug(tmp_path):
    result = _import_settings(
        MATIS_ENV="production", MATIS_HOME=str(tmp_path), MATIS_SECRET_KEY="x" * 50, MATIS_DEBUG="1"
    )
    assert result.returncode != 0
    assert "debug mode" in result.stderr


def test_production_starts_with_a_secret(tmp_path):
    result = _import_settings(
        MATIS_ENV="production", MATIS_HOME=str(tmp_path), MATIS_SECRET_KEY="x" * 50
    )
    assert result.returncode == 0, result.stderr


def test_demo_generates_and_keeps_its_secret(tmp_path):
    code = "import matis.settings as s; print(s.SECRET_KEY)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    env.update(MATIS_ENV="demo", MATIS_HOME=str(tmp_path))
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert first.stdout and first.stdout == second.stdout
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_unknown_role_is_refused(tmp_path):
    result = _import_settings(MATIS_ENV="test", MATIS_HOME=str(tmp_path), MATIS_ROLE="global")
    assert result.returncode != 0 and "MATIS_ROLE" in result.stderr
