"""Building the frozen, protected snapshot of the official statistics for a release.

Only approved observations are read (``observations_published``), once, when
the publisher releases. Counts then pass the disclosure entry point
:func:`tipstats.disclosure.protect_counts`: every one-way breakdown (one
indicator, country and year by one dimension) is released as a list of counts
with its margin, so a count under the threshold becomes ``<threshold`` and
enough others are withheld (``x``) that it cannot be worked out; a total or
a many-way cell under the threshold becomes ``<threshold`` too. Figures a
government already published as ``<5`` stay censored. What is stored is what
the public sees; nothing else is kept.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
from django.conf import settings

from matis.common.models import COMMIT_COUNTRIES, Country
from matis.official_statistics.keys import parse_key
from matis.official_statistics.linked import FORM_PARENT, protect_linked
from matis.official_statistics.models import (
    CodeList,
    Dimension,
    IndicatorDimension,
    StatisticalIndicator,
    Unit,
)
from matis.official_statistics.selectors import observations_published
from tipstats.disclosure import protect_counts

# One observation in a snapshot, in this order.
OBS_FIELDS = (
    "indicator",
    "country",
    "year",
    "key",
    "value",
    "censored_below",
    "missing",
    "withheld",
    "estimated",
    "provisional",
)


def min_cell() -> int:
    """The smallest count published as it is (``MATIS_PUBLICATION_MIN_CELL``, else min_cell)."""
    value = getattr(settings, "MATIS_PUBLICATION_MIN_CELL", None)
    return int(value if value is not None else settings.MATIS_DISCLOSURE["min_cell"])


def structure() -> dict:
    """The data structure MATIS holds as data, as plain JSON (frozen with the release)."""
    lists = []
    for code_list in CodeList.objects.prefetch_related("codes").order_by("code"):
        codes = [
            {"code": c.code, "name_en": c.name_en, "name_th": c.name_th}
            for c in code_list.codes.all()
            if c.is_active
        ]
        lists.append({"code": code_list.code, "name_en": code_list.name_en, "codes": codes})
    dims = [
        {"code": d.code, "name_en": d.name_en, "name_th": d.name_th, "code_list": d.code_list.code}
        for d in Dimension.objects.select_related("code_list").order_by("order", "code")
    ]
    allowed = defaultdict(list)
    for ind, dim in IndicatorDimension.objects.values_list("indicator_id", "dimension__code"):
        allowed[ind].append(dim)
    indicators = [
        {
            "code": i.code,
            "name_en": i.name_en,
            "name_th": i.name_th,
            "unit": i.unit,
            "dimensions": sorted(allowed.get(i.pk, [])),
        }
        for i in StatisticalIndicator.objects.filter(is_active=True).order_by("order", "code")
    ]
    countries = [
        {"iso3": c.iso3, "name": c.name}
        for c in Country.objects.filter(iso3__in=COMMIT_COUNTRIES).order_by("iso3")
    ]
    return {
        "code_lists": lists,
        "dimensions": dims,
        "indicators": indicators,
        "countries": countries,
    }


def _is_count(value) -> bool:
    return value is not None and float(value).is_integer() and value >= 0


class _Figure:
    """A count row seen by :func:`matis.official_statistics.linked.protect_linked`."""

    __slots__ = ("censored_below", "row", "series_key", "suppressed", "value")

    def __init__(self, row: dict, value, threshold: int) -> None:
        self.row, self.series_key, self.value = row, row["key"], value
        self.censored_below = threshold if row["censored_below"] is not None else None
        self.suppressed = bool(row["withheld"])


def protect(rows: list[dict], units: dict[str, str], threshold: int) -> list[dict]:
    """Apply disclosure control to observation dicts in place; returns them.

    Each one-way breakdown with its total: :func:`protect_counts` (a total it
    hides is withheld). Then the breakdowns of one indicator, country and year
    together (:func:`~matis.official_statistics.linked.protect_linked`): they
    share the total, so a total hidden for one must not be the sum of another.
    """
    counted = [
        r
        for r in rows
        if units.get(r["indicator"]) == Unit.COUNT
        and r["censored_below"] is None
        and _is_count(r["value"])
    ]
    true_value = {id(r): r["value"] for r in counted}
    totals: dict[tuple, dict] = {}
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in counted:
        key = parse_key(row["key"])
        if len(key) == 1:
            dim = next(iter(key))
            groups[(row["indicator"], row["country"], row["year"], dim)].append(row)
        elif not key:
            totals[(row["indicator"], row["country"], row["year"])] = row
        if len(key) != 1 and 1 <= row["value"] < threshold:  # a total or a many-way cell
            _censor(row, threshold)
    for (indicator, country, year, _dim), members in groups.items():
        counts = pd.Series([int(r["value"]) for r in members])
        try:
            result = protect_counts(counts, threshold=threshold, method="suppress")
        except ValueError:  # no pattern protects it: withhold the small ones and the rest
            for r in members:
                if 1 <= r["value"] < threshold:
                    _censor(r, threshold)
                else:
                    _withhold(r)
            continue
        primary = list(result.primary.iloc[: len(members)])
        complementary = list(result.complementary.iloc[: len(members)])
        for r, is_primary, is_complementary in zip(members, primary, complementary, strict=True):
            if is_primary:
                _censor(r, threshold)
            elif is_complementary:
                _withhold(r)
        total = totals.get((indicator, country, year))
        margin_hidden = bool(result.primary.iloc[-1] or result.complementary.iloc[-1])
        if margin_hidden and total is not None and total["censored_below"] is None:
            _withhold(total)
    _protect_together(groups, totals, true_value, threshold)
    return rows


def _protect_together(groups, totals, true_value, threshold) -> None:
    """The breakdowns of each indicator, country and year audited together."""
    width = settings.MATIS_DISCLOSURE.get("protection")
    width = min(int(width or 1), threshold - 2)
    if width < 1:
        return
    by_indicator: dict[tuple, list[dict]] = defaultdict(list)
    for (indicator, country, year, _dim), members in groups.items():
        by_indicator[(indicator, country, year)] += members
    for key, members in by_indicator.items():
        total_row = totals.get(key)
        total = _Figure(total_row, true_value[id(total_row)], threshold) if total_row else None
        cells = [_Figure(r, true_value[id(r)], threshold) for r in members]
        protect_linked(total, cells, threshold, width, parent_of=FORM_PARENT)
        for f in [total, *cells]:
            if f is not None and f.suppressed and not f.row["withheld"]:
                _withhold(f.row)


def _censor(row: dict, threshold: int) -> None:
    row["value"] = None
    row["censored_below"] = threshold


def _withhold(row: dict) -> None:
    row["value"] = None
    row["withheld"] = True


def build_statistics_snapshot() -> dict:
    """The structure and the protected approved observations, as stored in a release."""
    shape = structure()
    codes = dict(StatisticalIndicator.objects.values_list("pk", "code"))
    units = {i["code"]: i["unit"] for i in shape["indicators"]}
    qs = observations_published().filter(country_id__in=COMMIT_COUNTRIES)
    rows = []
    for ind, country, year, key, value, cens, missing, est, prov in qs.order_by(
        "indicator_id", "country_id", "period", "series_key"
    ).values_list(
        "indicator_id",
        "country_id",
        "period",
        "series_key",
        "value",
        "censored_below",
        "is_missing",
        "is_estimated",
        "is_provisional",
    ):
        if codes[ind] not in units:
            continue  # an inactive indicator is not published
        rows.append(
            {
                "indicator": codes[ind],
                "country": country,
                "year": year,
                "key": key,
                "value": value,
                "censored_below": cens,
                "missing": bool(missing),
                "withheld": False,
                "estimated": bool(est),
                "provisional": bool(prov),
            }
        )
    threshold = min_cell()
    protect(rows, units, threshold)
    shape["min_cell"] = threshold
    shape["observations"] = [[r[f] for f in OBS_FIELDS] for r in rows]
    return shape
