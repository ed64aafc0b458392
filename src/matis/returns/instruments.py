"""Reintegration assessment and feedback survey instruments, kept as data (YAML).

Instruments live in ``data/instruments.yaml`` (or the file named by
``MATIS_RETURNS_INSTRUMENT_FILE``). The file is validated when first used; an
error names the instrument and item at fault.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import get_language

SUPPORTED_FORMAT = 1
DOMAINS = ("psychosocial", "economic")
RATING_MIN, RATING_MAX = 1, 5


class InstrumentError(ValueError):
    """The instrument file is malformed, or answers do not fit it; the message names the item."""


def _pick(texts: dict[str, str], language: str | None = None) -> str:
    lang = (language or get_language() or "en").split("-")[0]
    return texts.get(lang) or texts.get("en", "")


def _texts(raw: dict) -> dict[str, str]:
    return {k: str(v) for k, v in raw.items() if isinstance(k, str) and len(k) <= 7 and k.isalpha()}


@dataclass(frozen=True)
class Item:
    code: str
    domain: str
    texts: dict

    @property
    def text(self) -> str:
        return _pick(self.texts)


@dataclass(frozen=True)
class Assessment:
    slug: str
    version: int
    titles: dict
    scale_max: int
    items: tuple[Item, ...]

    @property
    def title(self) -> str:
        return _pick(self.titles)

    def score(self, answers: dict[str, int]) -> dict[str, int]:
        """Domain scores 0-100: the sum of a domain's answers as a share of its maximum."""
        codes = {i.code for i in self.items}
        unknown = set(answers) - codes
        if unknown:
            raise InstrumentError(f"{self.slug}: unknown items {sorted(unknown)}")
        missing = codes - set(answers)
        if missing:
            raise InstrumentError(f"{self.slug}: no answer for {sorted(missing)}")
        scores = {}
        for domain in DOMAINS:
            items = [i for i in self.items if i.domain == domain]
            total = 0
            for item in items:
                value = answers[item.code]
                if not isinstance(value, int) or not 0 <= value <= self.scale_max:
                    raise InstrumentError(
                        f"{self.slug}: {item.code} must be 0..{self.scale_max}, got {value!r}"
                    )
                total += value
            scores[domain] = round(100 * total / (self.scale_max * len(items)))
        return scores


@dataclass(frozen=True)
class Question:
    code: str
    goals: tuple[str, ...]
    texts: dict

    @property
    def text(self) -> str:
        return _pick(self.texts)


@dataclass(frozen=True)
class Survey:
    slug: str
    version: int
    titles: dict
    questions: tuple[Question, ...]

    @property
    def title(self) -> str:
        return _pick(self.titles)

    def check(self, ratings: dict[str, int]) -> dict[str, int]:
        """The ratings if they fit the survey (unanswered questions may be left out)."""
        codes = {q.code for q in self.questions}
        unknown = set(ratings) - codes
        if unknown:
            raise InstrumentError(f"{self.slug}: unknown questions {sorted(unknown)}")
        for code, value in ratings.items():
            if not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
                raise InstrumentError(
                    f"{self.slug}: {code} must be {RATING_MIN}..{RATING_MAX}, got {value!r}"
                )
        return dict(ratings)


def instrument_file() -> Path:
    override = settings.MATIS_RETURNS_INSTRUMENT_FILE
    if override:
        return Path(override)
    return Path(str(resources.files("matis.returns") / "data" / "instruments.yaml"))


def _need(raw: dict, key: str, where: str):
    if key not in raw:
        raise InstrumentError(f"{where}: '{key}' is missing")
    return raw[key]


def parse(data) -> tuple[dict[str, Assessment], dict[str, Survey]]:
    """Validate and build the instruments of one file."""
    if not isinstance(data, dict) or data.get("format") != SUPPORTED_FORMAT:
        raise InstrumentError(f"instrument file: 'format: {SUPPORTED_FORMAT}' expected")
    assessments: dict[str, Assessment] = {}
    for n, raw in enumerate(data.get("assessments") or [], start=1):
        where = f"assessment {n}"
        slug = str(_need(raw, "slug", where))
        where = f"assessment {slug}"
        scale_max = int(_need(raw, "scale_max", where))
        if scale_max < 1:
            raise InstrumentError(f"{where}: scale_max must be at least 1")
        items = []
        for m, item in enumerate(_need(raw, "items", where), start=1):
            code = str(_need(item, "code", f"{where}, item {m}"))
            domain = str(_need(item, "domain", f"{where}, item {code}"))
            if domain not in DOMAINS:
                raise InstrumentError(f"{where}, item {code}: domain must be one of {DOMAINS}")
            if "en" not in item:
                raise InstrumentError(f"{where}, item {code}: English text (en) is missing")
            items.append(Item(code, domain, _texts(item)))
        codes = [i.code for i in items]
        if len(set(codes)) != len(codes):
            raise InstrumentError(f"{where}: item codes repeat")
        for domain in DOMAINS:
            if not any(i.domain == domain for i in items):
                raise InstrumentError(f"{where}: no item in domain {domain}")
        assessments[slug] = Assessment(
            slug,
            int(_need(raw, "version", where)),
            _texts(raw.get("title") or {}),
            scale_max,
            tuple(items),
        )
    surveys: dict[str, Survey] = {}
    for n, raw in enumerate(data.get("surveys") or [], start=1):
        where = f"survey {n}"
        slug = str(_need(raw, "slug", where))
        where = f"survey {slug}"
        questions = []
        for m, q in enumerate(_need(raw, "questions", where), start=1):
            code = str(_need(q, "code", f"{where}, question {m}"))
            if "en" not in q:
                raise InstrumentError(f"{where}, question {code}: English text (en) is missing")
            goals = tuple(str(g) for g in q.get("goals") or [])
            questions.append(Question(code, goals, _texts(q)))
        if len({q.code for q in questions}) != len(questions):
            raise InstrumentError(f"{where}: question codes repeat")
        surveys[slug] = Survey(
            slug,
            int(_need(raw, "version", where)),
            _texts(raw.get("title") or {}),
            tuple(questions),
        )
    if not assessments or not surveys:
        raise InstrumentError("instrument file: at least one assessment and one survey needed")
    return assessments, surveys


@functools.cache
def _load(path: str) -> tuple[dict[str, Assessment], dict[str, Survey]]:
    with open(path, encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))


def assessments() -> dict[str, Assessment]:
    return _load(str(instrument_file()))[0]


def surveys() -> dict[str, Survey]:
    return _load(str(instrument_file()))[1]


def assessment(slug: str) -> Assessment:
    try:
        return assessments()[slug]
    except KeyError:
        raise InstrumentError(f"no assessment instrument '{slug}'") from None


def survey(slug: str) -> Survey:
    try:
        return surveys()[slug]
    except KeyError:
        raise InstrumentError(f"no survey '{slug}'") from None
