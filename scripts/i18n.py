#!/usr/bin/env python3
"""Translation catalogues: extract, compile and check.

MATIS keeps one catalogue for the core (``src/matis/locale``: common, access,
plans and the shared templates) and one per feature app that has its own
``locale/`` directory (``src/matis/<app>/locale``).

    python scripts/i18n.py extract [core|APP]   # update the .po files from the source
    python scripts/i18n.py compile   # build the .mo files
    python scripts/i18n.py check     # fail if any entry is untranslated or fuzzy
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "matis"
LANGUAGES = ["en", "th", "km", "lo", "my", "zh_Hans", "vi"]


def app_dirs_with_locale() -> list[Path]:
    return sorted(p.parent for p in SRC.glob("*/locale") if p.is_dir())


def catalogue_dirs() -> list[Path]:
    return [SRC, *app_dirs_with_locale()]


def _django_admin(args: list[str], cwd: Path) -> None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="matis.settings", MATIS_ENV="test")
    # -P: keep the cwd (src/matis) off sys.path so no app directory can shadow a module
    cmd = [sys.executable, "-P", "-m", "django", *args]
    subprocess.run(cmd, cwd=cwd, env=env, check=True)


CORE_APPS = ("common", "access", "plans")


def feature_app_dirs() -> list[Path]:
    """Apps outside the core: they keep their own catalogue."""
    return sorted(p.parent for p in SRC.glob("*/apps.py") if p.parent.name not in CORE_APPS)


def extract(only: str | None = None) -> None:
    """Update catalogues; ``only`` = "core" or an app name limits it to one catalogue."""
    apps_with_own = app_dirs_with_locale()
    ignore = []
    for app in feature_app_dirs():
        ignore += ["--ignore", f"{app.name}/*"]
    langs = [arg for lang in LANGUAGES for arg in ("-l", lang)]
    common = [
        "makemessages",
        *langs,
        "--no-obsolete",
        "--add-location",
        "file",
        "-e",
        "html,txt,py",
    ]
    if only in (None, "core"):
        _django_admin([*common, "--ignore", "static/*", "--ignore", "testing/*", *ignore], SRC)
    for app in apps_with_own:
        if only in (None, app.name):
            _django_admin(common, app)


def _fix_headers() -> None:
    """Django writes a placeholder Plural-Forms for Lao; a compiled placeholder crashes Lao pages."""
    import polib

    for directory in catalogue_dirs():
        for po_path in (directory / "locale").glob("*/LC_MESSAGES/django.po"):
            po = polib.pofile(str(po_path))
            lang = po_path.parent.parent.name
            changed = False
            if "INTEGER" in po.metadata.get("Plural-Forms", "") and lang in {
                "lo",
                "th",
                "km",
                "my",
                "zh_Hans",
                "vi",
            }:
                po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
                changed = True
            if po.metadata.get("Language") != lang:
                po.metadata["Language"] = lang
                changed = True
            if changed:
                po.save(str(po_path))


def compile_all() -> None:
    _fix_headers()
    # compilemessages skips a catalogue whose .mo is newer than its .po, and a git
    # checkout or merge sets file times arbitrarily: make every .po newer first.
    for directory in catalogue_dirs():
        for po_path in (directory / "locale").glob("*/LC_MESSAGES/django.po"):
            po_path.touch()
    for directory in catalogue_dirs():
        _django_admin(["compilemessages", "--ignore", ".venv"], directory)


def check() -> int:
    import polib

    problems = []
    for directory in catalogue_dirs():
        for po_path in sorted((directory / "locale").glob("*/LC_MESSAGES/django.po")):
            lang = po_path.parent.parent.name
            if lang == "en":
                continue
            po = polib.pofile(str(po_path))
            untranslated = [e.msgid for e in po.untranslated_entries()]
            fuzzy = [e.msgid for e in po.fuzzy_entries()]
            if untranslated or fuzzy:
                problems.append(
                    f"{po_path.relative_to(ROOT)}: {len(untranslated)} untranslated, "
                    f"{len(fuzzy)} fuzzy, e.g. {(untranslated + fuzzy)[:3]}"
                )
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "extract":
        extract(sys.argv[2] if len(sys.argv) > 2 else None)
        _fix_headers()
    elif command == "compile":
        compile_all()
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(__doc__)
