"""Seven languages: every catalogue complete, a switcher that offers them all."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LANGS = ["en", "th", "km", "lo", "my", "zh-hans", "vi"]


def test_every_catalogue_is_complete():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_language_has_a_compiled_core_catalogue():
    for lang in ["th", "km", "lo", "my", "zh_Hans", "vi"]:
        assert (ROOT / "src/matis/locale" / lang / "LC_MESSAGES" / "django.mo").exists(), lang


@pytest.mark.django_db
def test_switcher_offers_seven_languages_and_pages_translate(client, make_user):
    client.force_login(make_user())
    body = client.get("/plan/").content.decode()
    for code in LANGS:
        assert f'<option value="{code}"' in body, code
    english = client.get("/plan/").content.decode()
    for code in LANGS[1:]:
        client.post("/i18n/setlang/", {"language": code})
        translated = client.get("/plan/").content.decode()
        assert f'<html lang="{code}">' in translated
        # The page heading for the guiding principles is translated in every language.
        assert ">Guiding principles<" in english and ">Guiding principles<" not in translated, code
