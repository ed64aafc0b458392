"""Load the statistics structure (``data/structure.yaml``) and the contextual series.

Idempotent, by natural key (``code``). By default only missing entries are
created, so edits an administrator made in the admin site survive a reload;
``update=True`` makes the database match the file for the entries it names
(entries added in the admin are never removed). The file is checked before
anything is written and errors name the entry at fault.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from matis.common.models import COMMIT_COUNTRIES
from matis.official_statistics.keys import CODE_RE, DIMENSION_CODE_RE
from matis.official_statistics.models import (
    Code,
    CodeList,
    ContextSeries,
    ContextValue,
    Dimension,
    IndicatorDimension,
    StatisticalIndicator,
    Unit,
    ValidationRule,
)
from matis.official_statistics.models.rules import CellScope, Operator, Severity

SUPPORTED_FORMAT = 1


def subdivision_codes() -> list[dict]:
    """The code list entries of the provinces and regions MATIS knows (ISO 3166-2).

    Taken from the places table (:class:`matis.common.models.Subdivision`, from
    pycountry / iso-codes): the code is the ISO 3166-2 code (``TH-50``); the
    English name is the ISO name, the Thai one the iso-codes translation where
    there is one; every translated name is a label a file may use.
    """
    from matis.common.models import Subdivision

    out = []
    for sub in Subdivision.objects.order_by("country_id", "code"):
        names = sub.names or {}
        labels = [sub.name, *sorted(set(names.values()) - {sub.name})]
        out.append(
            {
                "code": sub.code,
                "name_en": sub.name,
                "name_th": names.get("th", ""),
                "source_labels": labels,
            }
        )
    return out


# Code lists whose codes come from another table of MATIS, not from the file.
CODES_FROM = {"subdivisions": subdivision_codes}


class StructureError(ValueError):
    """The structure file is malformed; the message names the entry."""


@dataclass
class LoadResult:
    what: str
    created: int = 0
    updated: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return not (self.created or self.updated)

    def __str__(self) -> str:
        if self.unchanged:
            return f"{self.what}: already loaded, nothing changed"
        return f"{self.what}: {self.created} created, {self.updated} updated"


def data_path(name: str) -> Path:
    return Path(str(resources.files("matis.official_statistics") / "data" / name))


def _require(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise StructureError(f"{where}: {message}")


def _labels(item: dict) -> str:
    return "\n".join(str(x) for x in item.get("source_labels", []) or [])


def read_structure(path: Path | None = None) -> dict[str, Any]:
    data = yaml.safe_load((path or data_path("structure.yaml")).read_text(encoding="utf-8"))
    validate_structure(data)
    return data


def validate_structure(data: Any) -> None:
    _require(isinstance(data, dict), "file", "the top level must be a mapping")
    _require(
        data.get("format_version") == SUPPORTED_FORMAT,
        "format_version",
        f"must be {SUPPORTED_FORMAT}",
    )
    lists = {}
    for i, cl in enumerate(data.get("code_lists") or []):
        where = f"code_lists[{i}]"
        _require(DIMENSION_CODE_RE.match(str(cl.get("code", ""))), where, "bad or missing code")
        _require(cl["code"] not in lists, where, f"duplicate code list {cl['code']}")
        _require(
            cl.get("codes_from") in (None, *CODES_FROM),
            where,
            f"unknown codes_from {cl.get('codes_from')!r} (known: {', '.join(CODES_FROM)})",
        )
        codes = set()
        for j, c in enumerate(cl.get("codes") or []):
            cwhere = f"{where} ({cl['code']}) codes[{j}]"
            _require(CODE_RE.match(str(c.get("code", ""))), cwhere, "bad or missing code")
            _require(str(c["code"]) not in codes, cwhere, f"duplicate code {c['code']}")
            _require(bool(c.get("name_en")), cwhere, "name_en is required")
            codes.add(str(c["code"]))
        for j, c in enumerate(cl.get("codes") or []):
            if c.get("parent") is not None:
                _require(
                    str(c["parent"]) in codes,
                    f"{where} codes[{j}]",
                    f"parent {c['parent']} is not in the list",
                )
        lists[cl["code"]] = codes
    dims = set()
    for i, d in enumerate(data.get("dimensions") or []):
        where = f"dimensions[{i}]"
        _require(DIMENSION_CODE_RE.match(str(d.get("code", ""))), where, "bad or missing code")
        _require(d["code"] not in dims, where, f"duplicate dimension {d['code']}")
        _require(d.get("code_list") in lists, where, f"unknown code list {d.get('code_list')}")
        dims.add(d["code"])
    indicators = set()
    for i, ind in enumerate(data.get("indicators") or []):
        where = f"indicators[{i}]"
        _require(DIMENSION_CODE_RE.match(str(ind.get("code", ""))), where, "bad or missing code")
        _require(ind["code"] not in indicators, where, f"duplicate indicator {ind['code']}")
        _require(ind.get("unit", "count") in Unit.values, where, f"unknown unit {ind.get('unit')}")
        for d in ind.get("dimensions") or []:
            _require(d in dims, where, f"unknown dimension {d}")
        indicators.add(ind["code"])
    rules = set()
    for i, r in enumerate(data.get("rules") or []):
        where = f"rules[{i}]"
        _require(bool(r.get("code")) and r["code"] not in rules, where, "missing or duplicate code")
        _require(
            r.get("operator") in Operator.values, where, f"unknown operator {r.get('operator')}"
        )
        _require(
            r.get("severity") in Severity.values, where, f"unknown severity {r.get('severity')}"
        )
        _require(
            r.get("cells", "all") in CellScope.values, where, f"unknown cells {r.get('cells')}"
        )
        _require(
            r.get("indicator") in (None, *indicators),
            where,
            f"unknown indicator {r.get('indicator')}",
        )
        _require(
            r.get("dimension") in (None, *dims), where, f"unknown dimension {r.get('dimension')}"
        )
        from matis.official_statistics.validation import RuleSyntaxError, parse_side

        for side in ("left_side", "right_side"):
            try:
                term = parse_side(str(r.get(side, "")), side)
            except RuleSyntaxError as exc:
                raise StructureError(f"{where} {side}: {exc}") from None
            if term.kind in {"sum", "count"}:
                _require(bool(r.get("dimension")), where, f"{term.kind} needs a dimension")
            if term.kind == "indicator":
                _require(
                    term.indicator_code in indicators,
                    where,
                    f"unknown indicator {term.indicator_code}",
                )
        rules.add(r["code"])


class _Sync:
    """Create-or-update by natural key, counting what it did; reads each table once."""

    def __init__(self, update: bool, result: LoadResult):
        self.update = update
        self.result = result
        self.created_pks: set = set()
        self._cache: dict[tuple, dict] = {}

    @staticmethod
    def _key(lookup: dict) -> tuple:
        return tuple(sorted((k, getattr(v, "pk", v)) for k, v in lookup.items()))

    def _existing(self, model, fields: tuple[str, ...]) -> dict:
        cache_key = (model, fields)
        if cache_key not in self._cache:
            attnames = {f: model._meta.get_field(f).attname for f in fields}
            self._cache[cache_key] = {
                tuple(sorted((f, getattr(obj, attnames[f])) for f in fields)): obj
                for obj in model.objects.all()
            }
        return self._cache[cache_key]

    def __call__(self, model, lookup: dict, values: dict):
        existing = self._existing(model, tuple(sorted(lookup)))
        key = self._key(lookup)
        obj = existing.get(key)
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            existing[key] = obj
            self.result.created += 1
            self.created_pks.add((model, obj.pk))
            return obj
        if self.update:
            changed = [k for k, v in values.items() if getattr(obj, k) != v]
            if changed:
                for k in changed:
                    setattr(obj, k, values[k])
                obj.save(update_fields=changed)
                self.result.updated += 1
        return obj


@transaction.atomic
def load_structure(path: Path | None = None, *, update: bool = False) -> LoadResult:
    """Load code lists, dimensions, indicators and rules; see the module docstring."""
    data = read_structure(path)
    result = LoadResult("statistics structure")
    sync = _Sync(update, result)
    lists = {}
    for cl in data.get("code_lists") or []:
        code_list = sync(
            CodeList,
            {"code": cl["code"]},
            {
                "name_en": cl["name_en"],
                "name_th": cl.get("name_th", ""),
                "description_en": cl.get("description_en", ""),
            },
        )
        lists[cl["code"]] = code_list
        codes = {}
        entries = list(cl.get("codes") or [])
        if cl.get("codes_from"):
            entries += CODES_FROM[cl["codes_from"]]()
        for i, c in enumerate(entries):
            codes[str(c["code"])] = sync(
                Code,
                {"code_list": code_list, "code": str(c["code"])},
                {
                    "name_en": c["name_en"],
                    "name_th": c.get("name_th", ""),
                    "description_en": c.get("description_en", ""),
                    "source_labels": _labels(c),
                    "order": i,
                },
            )
        for c in cl.get("codes") or []:
            if c.get("parent") is None:
                continue
            obj, parent = codes[str(c["code"])], codes[str(c["parent"])]
            fresh = (Code, obj.pk) in sync.created_pks
            if obj.parent_id != parent.pk and (fresh or update or obj.parent_id is None):
                obj.parent = parent
                obj.save(update_fields=["parent"])
                result.updated += 0 if fresh else 1
    dims = {}
    for i, d in enumerate(data.get("dimensions") or []):
        dims[d["code"]] = sync(
            Dimension,
            {"code": d["code"]},
            {
                "name_en": d["name_en"],
                "name_th": d.get("name_th", ""),
                "description_en": d.get("description_en", ""),
                "source_labels": _labels(d),
                "code_list": lists[d["code_list"]],
                "order": i,
            },
        )
    indicators = {}
    for i, ind in enumerate(data.get("indicators") or []):
        indicator = sync(
            StatisticalIndicator,
            {"code": ind["code"]},
            {
                "name_en": ind["name_en"],
                "name_th": ind.get("name_th", ""),
                "description_en": ind.get("description_en", ""),
                "source_labels": _labels(ind),
                "unit": ind.get("unit", Unit.COUNT),
                "is_glotip": bool(ind.get("glotip", False)),
                "order": i,
            },
        )
        indicators[ind["code"]] = indicator
        for j, dcode in enumerate(ind.get("dimensions") or []):
            sync(
                IndicatorDimension, {"indicator": indicator, "dimension": dims[dcode]}, {"order": j}
            )
    for i, r in enumerate(data.get("rules") or []):
        sync(
            ValidationRule,
            {"code": r["code"]},
            {
                "name_en": r["name_en"],
                "name_th": r.get("name_th", ""),
                "description_en": r.get("description_en", ""),
                "indicator": indicators.get(r.get("indicator")) if r.get("indicator") else None,
                "dimension": dims.get(r.get("dimension")) if r.get("dimension") else None,
                "left_side": str(r["left_side"]),
                "operator": r["operator"],
                "right_side": str(r["right_side"]),
                "cells": r.get("cells", CellScope.ALL),
                "min_history": int(r.get("min_history", 3)),
                "severity": r["severity"],
                "order": i,
            },
        )
    result.counts = {
        "indicators": StatisticalIndicator.objects.count(),
        "dimensions": Dimension.objects.count(),
        "codes": Code.objects.count(),
        "rules": ValidationRule.objects.count(),
    }
    return result


# --- contextual series -------------------------------------------------------------

CONTEXT_SERIES = [
    {
        "code": "TIP_TIER",
        "name_en": "US TIP Report tier",
        "name_th": "ระดับในรายงาน TIP ของสหรัฐฯ",
        "description_en": "US State Department Trafficking in Persons Report tier by report year: "
        "1 = Tier 1, 2 = Tier 2, 2.5 = Tier 2 Watch List, 3 = Tier 3 (lower is better).",
        "scale_min": 1,
        "scale_max": 3,
        "higher_is_better": False,
    },
    {
        "code": "P3_INDEX",
        "name_en": "3P anti-trafficking policy index",
        "name_th": "ดัชนีนโยบายต่อต้านการค้ามนุษย์ 3P",
        "description_en": "Prosecution + prevention + protection scores, 3 (weakest) to 15 (strongest).",
        "scale_min": 3,
        "scale_max": 15,
        "higher_is_better": True,
    },
    {
        "code": "P3_PROSECUTION",
        "name_en": "3P index: prosecution",
        "name_th": "ดัชนี 3P: การดำเนินคดี",
        "description_en": "Score 1 to 5.",
        "scale_min": 1,
        "scale_max": 5,
        "higher_is_better": True,
    },
    {
        "code": "P3_PREVENTION",
        "name_en": "3P index: prevention",
        "name_th": "ดัชนี 3P: การป้องกัน",
        "description_en": "Score 1 to 5.",
        "scale_min": 1,
        "scale_max": 5,
        "higher_is_better": True,
    },
    {
        "code": "P3_PROTECTION",
        "name_en": "3P index: protection",
        "name_th": "ดัชนี 3P: การคุ้มครอง",
        "description_en": "Score 1 to 5.",
        "scale_min": 1,
        "scale_max": 5,
        "higher_is_better": True,
    },
]
CONTEXT_CITATION = (
    "Heiss, A. & Kelley, J. G. (2017). From the Trenches: A Global Survey of Anti-TIP NGOs and "
    "their Views of US Efforts. Journal of Human Trafficking 3(3). "
    "doi:10.1080/23322705.2016.1199241. Data: github.com/andrewheiss/"
    "From-the-Trenches-Anti-TIP-NGOs-and-US."
)
TIER_VALUES = {"Tier 1": 1.0, "Tier 2": 2.0, "Watchlist": 2.5, "Tier 3": 3.0}


def read_context_rows(countries=COMMIT_COUNTRIES) -> list[tuple[str, str, int, float, str]]:
    """(series, iso3, year, value, label) for ``countries`` from the bundled CSV files."""
    rows = []
    with data_path("tip_tiers_orig.csv").open(encoding="utf-8", newline="") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            if r["iso"] not in countries or r["tier"] == "NA":
                continue
            label = r["tier"].strip()
            if label not in TIER_VALUES:
                raise StructureError(f"tip_tiers_orig.csv line {line}: unknown tier {r['tier']!r}")
            rows.append(("TIP_TIER", r["iso"], int(r["year"]), TIER_VALUES[label], label))
    columns = {
        "p": "P3_INDEX",
        "prosecution": "P3_PROSECUTION",
        "prevention": "P3_PREVENTION",
        "protection": "P3_PROTECTION",
    }
    with data_path("policy_index.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["iso"] not in countries:
                continue
            for column, series in columns.items():
                if r[column] != "NA":
                    value = float(r[column])
                    rows.append((series, r["iso"], int(r["year"]), value, format_score(value)))
    return rows


def format_score(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


@transaction.atomic
def load_context_series() -> LoadResult:
    result = LoadResult("contextual series (TIP tier, 3P index)")
    sync = _Sync(True, result)
    series = {}
    for i, spec in enumerate(CONTEXT_SERIES):
        values = {k: v for k, v in spec.items() if k != "code"}
        series[spec["code"]] = sync(
            ContextSeries,
            {"code": spec["code"]},
            {**values, "citation": CONTEXT_CITATION, "order": i},
        )
    existing = {(v.series_id, v.country_id, v.year): v for v in ContextValue.objects.all()}
    new = []
    for code, iso3, year, value, label in read_context_rows():
        s = series[code]
        current = existing.get((s.pk, iso3, year))
        if current is None:
            new.append(ContextValue(series=s, country_id=iso3, year=year, value=value, label=label))
        elif (current.value, current.label) != (value, label):
            current.value, current.label = value, label
            current.save(update_fields=["value", "label"])
            result.updated += 1
    ContextValue.objects.bulk_create(new)
    result.created += len(new)
    result.counts = {"values": ContextValue.objects.count()}
    return result
