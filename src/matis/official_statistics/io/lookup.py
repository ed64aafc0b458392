"""A snapshot of the data structure, shaped for fast row-by-row checks during an import."""

from __future__ import annotations

from dataclasses import dataclass, field

from matis.common.aliases import CountryNames
from matis.common.models import Country
from matis.official_statistics.keys import TOTAL_CODES
from matis.official_statistics.models import (
    Code,
    Dimension,
    IndicatorDimension,
    StatisticalIndicator,
)

TOTAL_WORDS = frozenset({"total", "_t", "_z", ""})
# The code list whose codes are countries (ISO alpha-3) plus a few special
# entries ("Nationals", "Unknown", ...): its cells may name a country in any
# form the country alias table knows.
GEO_CODE_LIST = "CL_GEO"
# The code list of provinces and regions (ISO 3166-2 codes such as TH-50): a
# cell's province must belong to the row's country.
PROVINCE_CODE_LIST = "CL_PROVINCE"


def fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@dataclass
class DimensionLookup:
    code: str
    codes: set[str] = field(default_factory=set)
    by_label: dict[str, str] = field(default_factory=dict)  # folded label or code -> code
    geographic: bool = False  # codes are countries: names resolve through the alias table
    # For a province dimension: ISO 3166-2 code -> the alpha-3 code of its country.
    country_of: dict[str, str] | None = None

    def resolve(self, text: str, *, labels: bool = True) -> str | None:
        """The code for ``text`` (a code, or a label when ``labels``); "" for a total; None if unknown."""
        if text in self.codes:
            return text
        if text in TOTAL_CODES:
            return ""
        folded = fold(text)
        if folded in TOTAL_WORDS:
            return ""
        if labels:
            return self.by_label.get(folded)
        return None


@dataclass
class IndicatorLookup:
    id: int
    code: str
    unit: str
    dimensions: frozenset[str]


class StructureLookup:
    """Indicators, dimensions, codes and countries by code and by label, loaded in a few queries."""

    def __init__(self):
        self.indicators: dict[str, IndicatorLookup] = {}
        self.indicator_by_label: dict[str, str] = {}
        self.dimensions: dict[str, DimensionLookup] = {}
        self.dimension_by_label: dict[str, str] = {}
        self.countries: set[str] = set()
        self._names: CountryNames | None = None
        self._subdivisions: dict[str, str] | None = None

    def subdivision_countries(self) -> dict[str, str]:
        """ISO 3166-2 code -> alpha-3 country, loaded once."""
        if self._subdivisions is None:
            from matis.common.models import Subdivision

            self._subdivisions = dict(Subdivision.objects.values_list("code", "country_id"))
        return self._subdivisions

    @property
    def names(self) -> CountryNames:
        """Country names in every form (the alias table), loaded on first use."""
        if self._names is None:
            self._names = CountryNames.load()
        return self._names

    @classmethod
    def load(cls) -> StructureLookup:
        self = cls()
        dims_of: dict[int, set[str]] = {}
        for ind_id, dim_code in IndicatorDimension.objects.values_list(
            "indicator_id", "dimension__code"
        ):
            dims_of.setdefault(ind_id, set()).add(dim_code)
        for ind in StatisticalIndicator.objects.filter(is_active=True):
            self.indicators[ind.code] = IndicatorLookup(
                ind.pk, ind.code, ind.unit, frozenset(dims_of.get(ind.pk, ()))
            )
            for label in (ind.code, ind.name_en, *ind.source_label_list):
                self.indicator_by_label.setdefault(fold(label), ind.code)
        list_to_dims: dict[int, list[DimensionLookup]] = {}
        for dim in Dimension.objects.select_related("code_list"):
            lookup = DimensionLookup(dim.code, geographic=dim.code_list.code == GEO_CODE_LIST)
            if dim.code_list.code == PROVINCE_CODE_LIST:
                lookup.country_of = self.subdivision_countries()
            self.dimensions[dim.code] = lookup
            list_to_dims.setdefault(dim.code_list_id, []).append(lookup)
            for label in (dim.code, dim.name_en, *dim.source_label_list):
                self.dimension_by_label.setdefault(fold(label), dim.code)
        for code in Code.objects.filter(is_active=True):
            for lookup in list_to_dims.get(code.code_list_id, []):
                lookup.codes.add(code.code)
                for label in (code.code, code.name_en, *code.source_label_list):
                    lookup.by_label.setdefault(fold(label), code.code)
        self.countries = set(Country.objects.values_list("iso3", flat=True))
        return self

    def indicator(self, text: str, *, labels: bool = True) -> IndicatorLookup | None:
        found = self.indicators.get(text)
        if found is None and labels:
            code = self.indicator_by_label.get(fold(text))
            found = self.indicators.get(code) if code else None
        return found
