"""Dashboard tables: one function per table, shared by the pages, the downloads and the API.

Every table is built from approved observations in a fixed number of queries,
whatever the size of the data. A value is a :class:`ValueCell`; figures below
a threshold stay ``<5`` (they are never replaced by a number).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from matis.common.calendars import display_year
from matis.common.countries import country_name
from matis.common.i18n import local_text
from matis.common.models import COMMIT_COUNTRIES, Country
from matis.common.tables import Column, Table
from matis.official_statistics.models import (
    ContextSeries,
    ContextValue,
    Dimension,
    StatisticalIndicator,
)
from matis.official_statistics.selectors import national_cells, observations_published
from matis.official_statistics.values import display_value, export_value


@dataclass(frozen=True, slots=True)
class ValueCell:
    value: float | None
    censored_below: int | None = None
    is_missing: bool = False

    @property
    def display(self) -> str:
        return display_value(self.value, self.censored_below, self.is_missing)

    @property
    def export(self) -> str:
        return export_value(self.value, self.censored_below, self.is_missing)

    @property
    def is_censored(self) -> bool:
        return self.censored_below is not None

    @property
    def state(self) -> str:
        """censored, missing or "" (the CSS class of the cell on the page)."""
        return "censored" if self.is_censored else ("missing" if self.value is None else "")

    @property
    def excel(self):
        """Exact figures as numbers; <5 and .. as text, never as a number."""
        return self.value if self.value is not None and not self.is_censored else self.export

    def as_json(self) -> dict:
        return {
            "value": self.value,
            "censored_below": self.censored_below,
            "missing": self.is_missing,
            "display": self.display,
        }


def rollup_note() -> str:
    return _("Where a country reported figures by province only, its national figure is their sum.")


def _table(*args, **kwargs) -> Table:
    """A table whose empty cells show as nothing (a statistic has no "–" of its own)."""
    return Table(*args, blank="", **kwargs)


def _ind_name(indicator: StatisticalIndicator) -> str:
    return local_text(indicator, "name").text


def _country_label(iso3: str, names: dict[str, str]) -> str:
    return country_name(iso3, default=names.get(iso3, iso3))


def _country_names(codes) -> dict[str, str]:
    return dict(Country.objects.filter(iso3__in=list(codes)).values_list("iso3", "name"))


def _year_columns(years) -> list[Column]:
    return [Column(f"y{y}", display_year(y), "value") for y in years]


def _cells(qs):
    return qs.values_list("country_id", "period", "value", "censored_below", "is_missing")


def trend(
    indicator: StatisticalIndicator,
    *,
    countries: list[str] | None = None,
    series_key: str = "",
    year_min: int | None = None,
    year_max: int | None = None,
) -> Table:
    """Countries x years for one series of an indicator (the grand total by default).

    The grand total of a country that reported figures by province only is
    their sum (:func:`~matis.official_statistics.selectors.national_cells`).
    """
    qs = observations_published().filter(indicator=indicator)
    qs = qs.filter(country_id__in=countries or COMMIT_COUNTRIES)
    if year_min:
        qs = qs.filter(period__gte=year_min)
    if year_max:
        qs = qs.filter(period__lte=year_max)
    data: dict[str, dict[int, ValueCell]] = defaultdict(dict)
    years = set()
    rolled_up = False
    if series_key == "":
        cells = national_cells(qs)
        rolled_up = any(r[5] for r in cells)
    else:
        cells = [(*r, False) for r in _cells(qs.filter(series_key=series_key))]
    for c, p, v, cens, miss, _rolled in cells:
        data[c][p] = ValueCell(v, cens, miss)
        years.add(p)
    years = sorted(years)
    names = _country_names(data)
    order = [c for c in (countries or COMMIT_COUNTRIES) if c in data]
    rows = []
    for c in order:
        row = {"country": c, "country_name": _country_label(c, names)}
        row.update({f"y{y}": data[c].get(y) for y in years})
        rows.append(row)
    return _table(
        "trend",
        _("%(indicator)s by country and year") % {"indicator": _ind_name(indicator)},
        [Column("country", _("Code")), Column("country_name", _("Country")), *_year_columns(years)],
        rows,
        note=rollup_note() if rolled_up else "",
        params={"years": years},
    )


def comparison(indicator: StatisticalIndicator, *, year: int | None = None) -> Table:
    """The six countries side by side for one year (the latest year with data by default)."""
    base = observations_published().filter(indicator=indicator, country_id__in=COMMIT_COUNTRIES)
    if year is None:
        year = max((r[1] for r in national_cells(base)), default=None)
    rows = []
    rolled_up = False
    if year is not None:
        cells = national_cells(base.filter(period=year))
        rolled_up = any(r[5] for r in cells)
        found = {c: ValueCell(v, cens, miss) for c, _p, v, cens, miss, _r in cells}
        names = _country_names(found)
        for c in COMMIT_COUNTRIES:
            rows.append(
                {"country": c, "country_name": _country_label(c, names), "value": found.get(c)}
            )
    title = _("%(indicator)s in %(year)s: the six countries") % {
        "indicator": _ind_name(indicator),
        "year": display_year(year) if year else "—",
    }
    return _table(
        "comparison",
        title,
        [
            Column("country", _("Code")),
            Column("country_name", _("Country")),
            Column("value", _("Value"), "value"),
        ],
        rows,
        note=rollup_note() if rolled_up else "",
        params={"year": year},
    )


def breakdown(
    indicator: StatisticalIndicator,
    dimension: Dimension,
    *,
    country: str,
    year: int | None = None,
) -> Table:
    """One country's figures by the codes of one dimension, years as columns."""
    codes = list(dimension.code_list.codes.filter(is_active=True).order_by("order", "code"))
    keys = {f"{dimension.code}={c.code}": c for c in codes}
    qs = observations_published().filter(
        indicator=indicator, country_id=country, series_key__in=[*keys, ""]
    )
    if year:
        qs = qs.filter(period=year)
    data: dict[str, dict[int, ValueCell]] = defaultdict(dict)
    years = set()
    for key, p, v, cens, miss in qs.values_list(
        "series_key", "period", "value", "censored_below", "is_missing"
    ):
        data[key][p] = ValueCell(v, cens, miss)
        years.add(p)
    years = sorted(years)
    rows = []
    place_names = _province_names(dimension)
    for key, code in keys.items():
        if key in data:
            label = place_names.get(code.code) or local_text(code, "name").text
            row = {"code": code.code, "label": label}
            row.update({f"y{y}": data[key].get(y) for y in years})
            rows.append(row)
    if rows and "" in data:
        row = {"code": "_T", "label": _("Total")}
        row.update({f"y{y}": data[""].get(y) for y in years})
        rows.append(row)
    title = _("%(indicator)s by %(dimension)s: %(country)s") % {
        "indicator": _ind_name(indicator),
        "dimension": local_text(dimension, "name").text.lower(),
        "country": country_name(country, default=country),
    }
    note = _("Breakdowns and totals are shown as published; they need not add up.")
    return _table(
        "breakdown",
        title,
        [
            Column("code", _("Code")),
            Column("label", local_text(dimension, "name").text),
            *_year_columns(years),
        ],
        rows,
        note=note,
        params={"years": years, "dimension": dimension.code},
    )


def _province_names(dimension: Dimension) -> dict[str, str]:
    """For the province dimension: names in the reader's language (iso-codes), by ISO 3166-2 code."""
    from matis.common.models import Subdivision
    from matis.official_statistics.io.lookup import PROVINCE_CODE_LIST

    if dimension.code_list.code != PROVINCE_CODE_LIST:
        return {}
    return {s.code: s.display_name for s in Subdivision.objects.all()}


def completeness(*, countries: list[str] | None = None) -> Table:
    """Indicator x country x year: which grand totals are reported (and their values)."""
    countries = countries or list(COMMIT_COUNTRIES)
    indicators = list(StatisticalIndicator.objects.filter(is_active=True))
    qs = observations_published().filter(
        indicator__in=[i.pk for i in indicators], series_key="", country_id__in=countries
    )
    data: dict[tuple[int, str], dict[int, ValueCell]] = defaultdict(dict)
    years = set()
    for ind, c, p, v, cens, miss in qs.values_list(
        "indicator_id", "country_id", "period", "value", "censored_below", "is_missing"
    ):
        data[(ind, c)][p] = ValueCell(v, cens, miss)
        years.add(p)
    years = list(range(min(years), max(years) + 1)) if years else []
    names = _country_names(countries)
    rows = []
    for ind in indicators:
        for c in countries:
            cells = data.get((ind.pk, c), {})
            row = {
                "indicator": ind.code,
                "indicator_name": _ind_name(ind),
                "country": c,
                "country_name": _country_label(c, names),
                "n_years": len(cells),
            }
            row.update({f"y{y}": cells.get(y) for y in years})
            rows.append(row)
    return _table(
        "completeness",
        _("Completeness: reported totals by indicator, country and year"),
        [
            Column("indicator", _("Indicator code")),
            Column("indicator_name", _("Indicator")),
            Column("country", _("Code")),
            Column("country_name", _("Country")),
            Column("n_years", _("Years reported")),
            *_year_columns(years),
        ],
        rows,
        note=_("An empty cell: no approved total for that year."),
        params={"years": years},
    )


def context(*, countries: list[str] | None = None) -> Table:
    """The contextual series (TIP tier, 3P index) for the countries, years as columns."""
    countries = countries or list(COMMIT_COUNTRIES)
    series = list(ContextSeries.objects.all())
    values = ContextValue.objects.filter(country_id__in=countries).values_list(
        "series_id", "country_id", "year", "value", "label"
    )
    data: dict[tuple[int, str], dict[int, str]] = defaultdict(dict)
    years = set()
    for s, c, y, v, label in values:
        data[(s, c)][y] = label or (str(v) if v is not None else "")
        years.add(y)
    years = sorted(years)
    names = _country_names(countries)
    rows = []
    for s in series:
        for c in countries:
            if (s.pk, c) not in data:
                continue
            row = {
                "series": s.code,
                "series_name": local_text(s, "name").text,
                "country": c,
                "country_name": _country_label(c, names),
            }
            row.update({f"y{y}": data[(s.pk, c)].get(y, "") for y in years})
            rows.append(row)
    citation = series[0].citation if series else ""
    return _table(
        "context",
        _("Context: US TIP Report tier and the 3P anti-trafficking policy index"),
        [
            Column("series", _("Series code")),
            Column("series_name", _("Series")),
            Column("country", _("Code")),
            Column("country_name", _("Country")),
            *[Column(f"y{y}", display_year(y)) for y in years],
        ],
        rows,
        note=_("External assessments, not COMMIT government statistics. Source: %(citation)s")
        % {"citation": citation},
        params={"years": years},
    )


def long_values(table: Table) -> list[dict]:
    """A wide table's value cells as long rows (for charts): one dict per non-empty cell."""
    years = table.params.get("years", [])
    out = []
    label_key = next((c.key for c in table.columns[:3] if c.key in ("country_name", "label")), None)
    for row in table.rows:
        for y in years:
            cell = row.get(f"y{y}")
            if isinstance(cell, ValueCell):
                out.append({"series": row.get(label_key, ""), "year": y, "cell": cell})
    return out
