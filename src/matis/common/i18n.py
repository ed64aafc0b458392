"""Content in the reader's language: registry texts are kept as ``<field>_<lang>`` columns
(English and Thai from the bilingual sources) and, for the other languages, supplied by
the object's ``translated_text(field, language)`` where it has one, or by our catalogues
when the English is one of their strings (a name MATIS itself gives, such as a computed
indicator's); else English."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import get_language

CONTENT_LANGUAGES = ("en", "th")  # the languages kept as columns


@dataclass(frozen=True)
class LocalText:
    """A text in the reader's language, or a fallback marked as such."""

    text: str
    language: str
    is_fallback: bool

    def __str__(self) -> str:
        return self.text


def local_text(obj, field: str, language: str | None = None) -> LocalText:
    """Pick ``<field>_<lang>`` (or ``obj.translated_text``) for the active language,
    falling back to English."""
    language = (language or get_language() or "en").lower().replace("_", "-")
    if not language.startswith("zh-"):
        language = language.split("-")[0]  # 'en-us' -> 'en'; 'zh-hans' stays
    if language != "en":
        value = getattr(obj, f"{field}_{language.replace('-', '_')}", "") or ""
        translated_text = getattr(obj, "translated_text", None)
        if not value and callable(translated_text):
            value = translated_text(field, language) or ""
        if value:
            return LocalText(value, language, is_fallback=False)
    english = getattr(obj, f"{field}_en", "") or ""
    if language != "en" and english:
        with translation.override(language):
            catalogued = translation.gettext(english)
        if catalogued != english:
            return LocalText(catalogued, language, is_fallback=False)
    return LocalText(english, "en", is_fallback=language != "en")
