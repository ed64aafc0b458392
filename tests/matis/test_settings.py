"""Production settings refuse to start without a secret or with debugging on."""

import os
import subprocess
import sys

# A generated-looking key: production refuses short or repetitive ones.
STRONG_KEY = "tq3V8wz-Rk1pXn9bL2cYfH7mJ4sD6gA0eU5iO_WQ" + "Zr8Kv2Nc-h5Tq"


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
        MATIS_ENV="production",
        MATIS_HOME=str(tmp_path),
        MATIS_SECRET_KEY=STRONG_KEY,
        MATIS_DEBUG="1",
    )
    assert result.returncode != 0
    assert "debug mode" in result.stderr


def test_production_starts_with_a_secret(tmp_path):
    result = _import_settings(
        MATIS_ENV="production", MATIS_HOME=str(tmp_path), MATIS_SECRET_KEY=STRONG_KEY
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


def _settings_value(tmp_path, expression: str, **env) -> str:
    code = f"import matis.settings as s; print(repr({expression}))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    clean.update(MATIS_ENV="demo", MATIS_HOME=str(tmp_path), **env)
    result = subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_feature_variables_are_read_by_settings(tmp_path):
    assert _settings_value(tmp_path, "s.MATIS_EVIDENCE_MAX_BYTES") == str(10 * 1024 * 1024)
    assert (
        _settings_value(tmp_path, "s.MATIS_EVIDENCE_MAX_BYTES", MATIS_EVIDENCE_MAX_BYTES="2048")
        == "2048"
    )
    assert _settings_value(tmp_path, "s.MATIS_DISCLOSURE['k_anonymity']") == "11"
    assert (
        _settings_value(tmp_path, "s.MATIS_DISCLOSURE['k_anonymity']", MATIS_EXCHANGE_K="5") == "5"
    )
    assert _settings_value(tmp_path, "s.MATIS_CASE_KEYS", MATIS_CASE_KEYS="a, b,") == "['a', 'b']"
    assert _settings_value(tmp_path, "s.MATIS_RETURNS_PENDING_DAYS") == "90"
    assert _settings_value(tmp_path, "s.MATIS_EXCHANGE_LOCAL_HUB") == "True"  # demo profile


def test_a_malformed_number_stops_the_start_naming_the_variable(tmp_path):
    result = _import_settings(
        MATIS_ENV="demo", MATIS_HOME=str(tmp_path), MATIS_CASE_RETENTION_YEARS="ten"
    )
    assert result.returncode != 0 and "MATIS_CASE_RETENTION_YEARS" in result.stderr


def test_only_settings_and_launchers_read_the_environment():
    """Every other module reads django.conf.settings (issue 12: settings are the only reader)."""
    from pathlib import Path

    import matis

    root = Path(matis.__file__).parent
    allowed = {
        "environment.py",  # the readers matis.settings uses
        "cli.py",  # the launcher sets MATIS_ENV before Django starts
        "wsgi.py",  # DJANGO_SETTINGS_MODULE, before Django starts
        "asgi.py",
        "testing/pytest_plugin.py",  # sets MATIS_ENV=test before Django starts
        "testing/region.py",  # builds each child instance's environment (separate processes)
        "ops/backup.py",  # the environment of pg_dump / pg_restore (child processes, PG* only)
        "demo_region.py",  # the regional demo's launcher (child processes, before Django starts)
    }
    readers = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "os.environ" in path.read_text(encoding="utf-8") or "getenv(" in path.read_text("utf-8")
    }
    assert readers <= allowed, readers - allowed
