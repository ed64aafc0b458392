"""SPA III texts in the languages the bilingual source lacks: Khmer, Lao, Burmese, Chinese
(simplified), Vietnamese. Read from ``data/spa3_translations.yaml`` (English and Thai are
columns of the registry, loaded from ``data/spa3.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).parent / "data" / "spa3_translations.yaml"
TRANSLATED_LANGUAGES = ("km", "lo", "my", "zh-hans", "vi")


@lru_cache(maxsize=1)
def translation_table() -> dict:
    with DATA_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def translated(section: str, key, field: str, language: str) -> str:
    """The ``field`` of item ``key`` of ``section`` in ``language``, or '' when missing."""
    entry = (translation_table().get(section) or {}).get(key) or {}
    return str((entry.get(field) or {}).get(language) or "").strip()


class TranslatedContent:
    """Mixin for registry models: ``matis.common.i18n.local_text`` asks it for texts in
    the languages that have no column (see :data:`TRANSLATED_LANGUAGES`)."""

    translation_section = ""
    translation_key_field = "code"

    def translated_text(self, field: str, language: str) -> str:
        key = getattr(self, self.translation_key_field)
        return translated(self.translation_section, key, field, language)
