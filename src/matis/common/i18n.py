"""Bilingual content: plan texts are kept in English and Thai; other languages fall back."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

CONTENT_LANGUAGES = ("en", "th")


@dataclass(frozen=True)
class LocalText:
    """A text in the reader's language, or a fallback marked as such."""

    text: str
    language: str
    is_fallback: bool

    def __str__(self) -> str:
        return self.text


def local_text(obj, field: str, language: str | None = None) -> LocalText:
    """Pick ``<field>_<lang>`` from ``obj`` for the active language, falling back to English."""
    language = (language or get_language() or "en").split("-")[0]
    if language in CONTENT_LANGUAGES:
        value = getattr(obj, f"{field}_{language}", "") or ""
        if value:
            return LocalText(value, language, is_fallback=False)
    english = getattr(obj, f"{field}_en", "") or ""
    return LocalText(english, "en", is_fallback=language != "en")
