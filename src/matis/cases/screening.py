"""Screening instruments (indicator checklists as data) and the guidelines list.

Instruments live in ``data/screening.yaml`` (or the file named by
``MATIS_CASE_SCREENING_FILE``). The file is validated when first used; an
error names the instrument and indicator at fault.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import get_language

from matis.cases.choices import Recommendation

SUPPORTED_FORMAT = 1
APPLIES_TO = {"adult", "child", "any"}


class InstrumentError(ValueError):
    """The screening file is malformed; the message names the item."""


def _pick(texts: dict[str, str], language: str | None = None) -> str:
    lang = (language or get_language() or "en").split("-")[0]
    return texts.get(lang) or texts.get("en", "")


@dataclass(frozen=True)
class ScreeningIndicator:
    code: str
    weight: int
    decisive: bool
    texts: dict

    @property
    def text(self) -> str:
        return _pick(self.texts)

    @property
    def is_fallback(self) -> bool:
        lang = (get_language() or "en").split("-")[0]
        return lang not in self.texts


@dataclass(frozen=True)
class Instrument:
    slug: str
    version: int
    titles: dict
    applies_to: str
    possible: int
    strong: int
    indicators: tuple[ScreeningIndicator, ...]

    @property
    def title(self) -> str:
        return _pick(self.titles)

    def score(self, answers: dict[str, bool]) -> tuple[int, str]:
        """(score, recommendation) for answers keyed by indicator code."""
        unknown = set(answers) - {i.code for i in self.indicators}
        if unknown:
            raise InstrumentError(f"{self.slug}: unknown indicators {sorted(unknown)}")
        chosen = [i for i in self.indicators if answers.get(i.code)]
        total = sum(i.weight for i in chosen)
        if any(i.decisive for i in chosen) or total >= self.strong:
            return total, Recommendation.STRONG
        if total >= self.possible:
            return total, Recommendation.POSSIBLE
        return total, Recommendation.FEW


@dataclass(frozen=True)
class Guideline:
    code: str
    texts: dict

    @property
    def title(self) -> str:
        return _pick(self.texts)


def screening_file() -> Path:
    override = settings.MATIS_CASE_SCREENING_FILE
    if override:
        return Path(override)
    return Path(str(resources.files("matis.cases") / "data" / "screening.yaml"))


def parse(data: dict) -> tuple[dict[str, Instrument], dict[str, list[Guideline]]]:
    if not isinstance(data, dict) or data.get("format") != SUPPORTED_FORMAT:
        raise InstrumentError(f"screening file: 'format: {SUPPORTED_FORMAT}' expected")
    instruments: dict[str, Instrument] = {}
    for n, raw in enumerate(data.get("instruments") or [], start=1):
        where = f"instrument {n} ({raw.get('slug', '?')})"
        try:
            slug = str(raw["slug"])
            thresholds = raw["thresholds"]
            possible, strong = int(thresholds["possible"]), int(thresholds["strong"])
            indicators = []
            codes = set()
            for m, ind in enumerate(raw["indicators"], start=1):
                code = str(ind["code"])
                if code in codes:
                    raise InstrumentError(f"{where}, indicator {m}: duplicate code {code!r}")
                codes.add(code)
                weight = int(ind["weight"])
                if not 0 <= weight <= 10:
                    raise InstrumentError(f"{where}, indicator {code}: weight must be 0-10")
                texts = {k: str(v) for k, v in ind.items() if len(k) == 2}
                if "en" not in texts:
                    raise InstrumentError(f"{where}, indicator {code}: English text missing")
                indicators.append(
                    ScreeningIndicator(code, weight, bool(ind.get("decisive")), texts)
                )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, InstrumentError):
                raise
            raise InstrumentError(f"{where}: missing or bad value ({exc})") from None
        if not 0 < possible <= strong:
            raise InstrumentError(f"{where}: thresholds must satisfy 0 < possible <= strong")
        if raw.get("applies_to", "any") not in APPLIES_TO:
            raise InstrumentError(f"{where}: applies_to must be one of {sorted(APPLIES_TO)}")
        if slug in instruments:
            raise InstrumentError(f"{where}: duplicate slug")
        instruments[slug] = Instrument(
            slug=slug,
            version=int(raw.get("version", 1)),
            titles=dict(raw.get("title") or {"en": slug}),
            applies_to=raw.get("applies_to", "any"),
            possible=possible,
            strong=strong,
            indicators=tuple(indicators),
        )
    if not instruments:
        raise InstrumentError("screening file: no instruments")
    guidelines = {
        str(country): [
            Guideline(str(g["code"]), {k: v for k, v in g.items() if len(k) == 2}) for g in items
        ]
        for country, items in (data.get("guidelines") or {}).items()
    }
    return instruments, guidelines


@functools.cache
def _load(path: str) -> tuple[dict[str, Instrument], dict[str, list[Guideline]]]:
    with open(path, encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))


def instruments() -> dict[str, Instrument]:
    return _load(str(screening_file()))[0]


def instrument(slug: str) -> Instrument:
    try:
        return instruments()[slug]
    except KeyError:
        raise InstrumentError(f"unknown screening instrument {slug!r}") from None


def instruments_for(*, is_child: bool) -> list[Instrument]:
    wanted = {"any", "child" if is_child else "adult"}
    return [i for i in instruments().values() if i.applies_to in wanted]


def guidelines_for(country_id: str) -> list[Guideline]:
    data = _load(str(screening_file()))[1]
    return [*data.get(country_id, []), *data.get("*", [])]
