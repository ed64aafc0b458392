"""Load the plan registry from ``data/spa3.yaml``, idempotently, by natural keys.

A second load of the same file changes nothing (the file's SHA-256 is recorded);
a changed file updates rows in place. The file is validated before anything is
written, and errors name the item at fault.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.plans.models import (
    Activity,
    Area,
    EvolutionRow,
    Goal,
    GuidingPrinciple,
    MouArticle,
    MouSection,
    Plan,
    PlanUnit,
    RegistryVersion,
    RoleFunction,
    SourceDefect,
    activity_slug,
)

REGISTRY_NAME = "spa3"
SUPPORTED_FORMAT = 1


class RegistryError(ValueError):
    """The registry data file is malformed; the message names the item."""


@dataclass
class LoadResult:
    data_version: str
    unchanged: bool
    created: int = 0
    updated: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.unchanged:
            return f"plan registry {self.data_version}: already loaded, nothing changed"
        return f"plan registry {self.data_version}: {self.created} created, {self.updated} updated"


def default_registry_path() -> Path:
    return Path(str(resources.files("matis.plans") / "data" / "spa3.yaml"))


def read_registry(path: Path | None = None) -> tuple[dict[str, Any], str]:
    raw = (path or default_registry_path()).read_bytes()
    data = yaml.safe_load(raw)
    validate_registry(data)
    return data, hashlib.sha256(raw).hexdigest()


def _require(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise RegistryError(f"{where}: {message}")


def validate_registry(data: Any) -> None:
    """Check shape, counts and cross references before anything is written."""
    _require(isinstance(data, dict), "file", "top level must be a mapping")
    _require(
        data.get("format_version") == SUPPORTED_FORMAT,
        "format_version",
        f"expected {SUPPORTED_FORMAT}, found {data.get('format_version')!r}",
    )
    for key in ("data_version", "mou", "plans", "evolution", "principles", "roles_matrix", "areas"):
        _require(key in data, key, "missing")
    sections = data["mou"]["sections"]
    section_codes = {s["code"] for s in sections}
    articles = data["mou"]["articles"]
    numbers = [a["number"] for a in articles]
    _require(len(set(numbers)) == len(numbers), "mou.articles", "duplicate article numbers")
    for a in articles:
        _require(
            bool(a.get("text_en")) and bool(a.get("text_th")),
            f"mou.articles[{a['number']}]",
            "needs text_en and text_th",
        )
        _require(
            any(s["first_article"] <= a["number"] <= s["last_article"] for s in sections),
            f"mou.articles[{a['number']}]",
            "not inside any section's article range",
        )
    units: dict[str, set[str]] = {}
    for i, plan in enumerate(data["plans"]):
        _require(bool(plan.get("code")), f"plans[{i}]", "needs a code")
        units[plan["code"]] = {u["code"] for u in plan["units"]}
    for i, row in enumerate(data["evolution"]):
        for col, plan_code in (
            ("spa1", "SPA1"),
            ("spa1r", "SPA1R"),
            ("spa2", "SPA2"),
            ("spa3", "SPA3"),
        ):
            code = row.get(col)
            _require(
                code is None or code in units.get(plan_code, set()),
                f"evolution[{i}].{col}",
                f"unit {code!r} is not a unit of {plan_code}",
            )
        _require(
            row.get("mou_section") in section_codes | {None},
            f"evolution[{i}].mou_section",
            f"unknown section {row.get('mou_section')!r}",
        )
    activity_codes: set[str] = set()
    for area in data["areas"]:
        where = f"areas[{area.get('number')}]"
        _require(
            f"AREA{area['number']}" in units.get("SPA3", set()), where, "no matching SPA3 unit"
        )
        _require(area["mou_section"] in section_codes, where, "unknown MOU section")
        for n in area.get("mou_objectives", []):
            _require(n in numbers, where, f"MOU objective art. {n} does not exist")
        goal_codes = {g["code"] for g in area["goals"]}
        for act in area["activities"]:
            _require(act["code"] not in activity_codes, f"activity {act['code']}", "duplicate code")
            activity_codes.add(act["code"])
            _require(
                bool(act.get("goals")), f"activity {act['code']}", "must link at least one goal"
            )
            for g in act["goals"]:
                _require(
                    g in goal_codes,
                    f"activity {act['code']}",
                    f"goal {g} is not a goal of its Area",
                )
            _require(bool(act.get("title_th")), f"activity {act['code']}", "needs title_th")


def _upsert(model: type[models.Model], lookup: dict, values: dict, tally: dict) -> models.Model:
    """Create or update one row; touch the database only when something differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        tally["created"] += 1
        return obj
    changed = [
        k
        for k, v in values.items()
        if getattr(obj, k if not isinstance(v, models.Model) else f"{k}_id")
        != (v.pk if isinstance(v, models.Model) else v)
    ]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
        tally["updated"] += 1
    return obj


def _set_m2m(manager, targets: list, tally: dict) -> None:
    current = set(manager.values_list("pk", flat=True))
    wanted = {t.pk for t in targets}
    if current != wanted:
        manager.set(targets)
        if current:  # links of a row created in this load are part of its creation
            tally["updated"] += 1


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


@transaction.atomic
def load_registry(path: Path | None = None, *, actor=None, force: bool = False) -> LoadResult:
    """Load (or update) the plan registry; returns what changed."""
    data, sha = read_registry(path)
    version = RegistryVersion.objects.filter(name=REGISTRY_NAME).first()
    if version is not None and version.sha256 == sha and not force:
        return LoadResult(
            data_version=data["data_version"], unchanged=True, counts=registry_counts()
        )

    tally = {"created": 0, "updated": 0}
    sections = {}
    for s in data["mou"]["sections"]:
        sections[s["code"]] = _upsert(
            MouSection,
            {"code": s["code"]},
            {
                "number": s["number"],
                "title_en": _text(s["title_en"]),
                "title_th": _text(s["title_th"]),
                "first_article": s["first_article"],
                "last_article": s["last_article"],
            },
            tally,
        )
    articles = {}
    for a in data["mou"]["articles"]:
        section = next(
            sec for sec in sections.values() if sec.first_article <= a["number"] <= sec.last_article
        )
        articles[a["number"]] = _upsert(
            MouArticle,
            {"number": a["number"]},
            {
                "section": section,
                "text_en": _text(a["text_en"]),
                "text_th": _text(a["text_th"]),
                "note_en": _text(a.get("note_en")),
            },
            tally,
        )

    units: dict[tuple[str, str], PlanUnit] = {}
    plans = {}
    for order, p in enumerate(data["plans"], start=1):
        plan = _upsert(
            Plan,
            {"code": p["code"]},
            {
                "order": order,
                "name_en": _text(p["name_en"]),
                "name_th": _text(p["name_th"]),
                "start_year": p["start_year"],
                "end_year": p["end_year"],
                "unit_kind": p["unit_kind"],
                "adopted_en": _text(p.get("adopted_en")),
            },
            tally,
        )
        plans[p["code"]] = plan
        for u in p["units"]:
            units[(p["code"], u["code"])] = _upsert(
                PlanUnit,
                {"plan": plan, "code": u["code"]},
                {
                    "number": u["number"],
                    "title_en": _text(u["title_en"]),
                    "title_th": _text(u["title_th"]),
                },
                tally,
            )

    for order, row in enumerate(data["evolution"], start=1):
        _upsert(
            EvolutionRow,
            {"order": order},
            {
                "spa1": units.get(("SPA1", row.get("spa1"))),
                "spa1r": units.get(("SPA1R", row.get("spa1r"))),
                "spa2": units.get(("SPA2", row.get("spa2"))),
                "spa3": units.get(("SPA3", row.get("spa3"))),
                "mou_section": sections.get(row.get("mou_section")),
                "note_en": _text(row.get("note_en")),
            },
            tally,
        )
    EvolutionRow.objects.filter(order__gt=len(data["evolution"])).delete()

    for p in data["principles"]:
        _upsert(
            GuidingPrinciple,
            {"number": p["number"]},
            {"text_en": _text(p["text_en"]), "text_th": _text(p["text_th"])},
            tally,
        )
    for order, r in enumerate(data["roles_matrix"], start=1):
        _upsert(
            RoleFunction,
            {"code": r["code"]},
            {
                "order": order,
                "function_en": _text(r["function_en"]),
                "function_th": _text(r["function_th"]),
                "government": bool(r["government"]),
                "secretariat": bool(r["secretariat"]),
                "ngo": bool(r["ngo"]),
                "private": bool(r["private"]),
            },
            tally,
        )

    spa3 = plans["SPA3"]
    for a in data["areas"]:
        area = _upsert(
            Area,
            {"plan": spa3, "number": a["number"]},
            {
                "unit": units[("SPA3", f"AREA{a['number']}")],
                "code": a["code"],
                "title_en": _text(a["title_en"]),
                "title_th": _text(a["title_th"]),
                "summary_en": _text(a.get("summary_en")),
                "summary_th": _text(a.get("summary_th")),
                "mou_section": sections[a["mou_section"]],
            },
            tally,
        )
        _set_m2m(area.mou_objectives, [articles[n] for n in a.get("mou_objectives", [])], tally)
        goals = {}
        for order, g in enumerate(a["goals"], start=1):
            goals[g["code"]] = _upsert(
                Goal,
                {"area": area, "code": g["code"]},
                {
                    "order": order,
                    "text_en": _text(g["text_en"]),
                    "text_th": _text(g["text_th"]),
                    "note_en": _text(g.get("note_en")),
                },
                tally,
            )
        for act in a["activities"]:
            activity = _upsert(
                Activity,
                {"area": area, "code": act["code"]},
                {
                    "slug": activity_slug(act["code"]),
                    "number": act["number"],
                    "priority": bool(act["priority"]),
                    "source_goal_tag": _text(act.get("source_goal_tag")),
                    "title_en": _text(act["title_en"]),
                    "title_th": _text(act["title_th"]),
                    "description_en": _text(act.get("description_en")),
                    "description_th": _text(act.get("description_th")),
                    "note_en": _text(act.get("note_en")),
                },
                tally,
            )
            _set_m2m(activity.goals, [goals[g] for g in act["goals"]], tally)

    for d in data.get("defects", []):
        _upsert(
            SourceDefect,
            {"code": d["code"]},
            {
                "where_en": _text(d.get("where_en")),
                "original_th": _text(d.get("original_th")),
                "corrected_en": _text(d.get("corrected_en")),
                "corrected_th": _text(d.get("corrected_th")),
                "note_en": _text(d.get("note_en")),
            },
            tally,
        )

    RegistryVersion.objects.update_or_create(
        name=REGISTRY_NAME, defaults={"data_version": data["data_version"], "sha256": sha}
    )
    audit_record(
        actor=actor,
        action=AuditAction.REGISTRY_LOAD,
        object_type="plans.registry",
        object_id=REGISTRY_NAME,
        data_version=data["data_version"],
        **tally,
    )
    return LoadResult(
        data_version=data["data_version"], unchanged=False, counts=registry_counts(), **tally
    )


def registry_counts() -> dict[str, int]:
    return {
        "mou_articles": MouArticle.objects.count(),
        "areas": Area.objects.count(),
        "goals": Goal.objects.count(),
        "activities": Activity.objects.count(),
        "priority_activities": Activity.objects.priority().count(),
    }


def load_registry_for_demo(*, stdout=None) -> str:
    return str(load_registry())
