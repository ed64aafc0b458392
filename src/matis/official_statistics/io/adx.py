"""DHIS2 ADX (IHE QRPH Aggregate Data eXchange, ``urn:ihe:qrph:adx:2015``): read and write.

An ADX file holds ``group`` elements (one organisation unit and period) of
``dataValue`` elements (one data element, its disaggregation as attributes
named by DHIS2 category code, and a numeric ``value``)::

    <adx xmlns="urn:ihe:qrph:adx:2015" exported="2024-03-01T00:00:00Z">
      <group orgUnit="THA" period="2022-01-01/P1Y" dataSet="MATIS_TIP">
        <dataValue dataElement="TIP_PERSONS_PROSECUTED" SEX="FMLE" value="34"/>
      </group>
    </adx>

The codes are translated through :class:`~matis.official_statistics.models.AdxCode`
(data, edited in the admin site; ``data/adx_mapping.yaml`` is the default).
Reading is the statistics import pipeline's: every problem is reported with
its line and element, and nothing is written unless the whole file is clean.
XML is parsed with defusedxml: no DTDs, entities or external references.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.saxutils import quoteattr

import yaml
from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser
from django.db import transaction
from django.utils.translation import gettext as _

from matis.common.importing import FileFormatError
from matis.official_statistics.io._base import (
    PROGRESS_EVERY,
    ImportScope,
    ParseResult,
    Progress,
    RowChecker,
)
from matis.official_statistics.io.lookup import StructureLookup
from matis.official_statistics.keys import SEPARATOR, parse_key
from matis.official_statistics.models import AdxCode

ADX_NS = "urn:ihe:qrph:adx:2015"
GROUP_ATTRIBUTES = frozenset({"orgUnit", "period", "dataSet", "completeDate"})
VALUE_ATTRIBUTES = frozenset({"dataElement", "value"})
YEAR_PERIOD = re.compile(r"^(\d{4})(?:-01-01/P1Y)?$")
MAPPING_FILE = "adx_mapping.yaml"
DEFAULT_DATA_SET = "MATIS_TIP"
Kind = AdxCode.Kind


# --- the mapping -----------------------------------------------------------------------


@dataclass
class AdxMapping:
    """The code mapping, both ways, loaded in one query."""

    indicators: dict[str, str] = field(default_factory=dict)  # dataElement -> indicator
    dimensions: dict[str, str] = field(default_factory=dict)  # category -> dimension
    options: dict[str, dict[str, str]] = field(default_factory=dict)  # category -> option -> code
    countries: dict[str, str] = field(default_factory=dict)  # orgUnit -> ISO3

    @classmethod
    def load(cls) -> AdxMapping:
        self = cls()
        for kind, category, dhis2, matis in AdxCode.objects.values_list(
            "kind", "category", "dhis2_code", "matis_code"
        ):
            if kind == Kind.DATA_ELEMENT:
                self.indicators[dhis2] = matis
            elif kind == Kind.CATEGORY:
                self.dimensions[dhis2] = matis
            elif kind == Kind.CATEGORY_OPTION:
                self.options.setdefault(category, {})[dhis2] = matis
            elif kind == Kind.ORG_UNIT:
                self.countries[dhis2] = matis
        return self

    @staticmethod
    def reverse(mapping: dict[str, str]) -> dict[str, str]:
        return {matis: dhis2 for dhis2, matis in mapping.items()}


def _nearest(text: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(text, list(known), n=3, cutoff=0.5)
    return _(" (nearest mapped codes: %(codes)s)") % {"codes": ", ".join(close)} if close else ""


class AdxMappingError(ValueError):
    """The mapping file is malformed or names a MATIS code the structure lacks."""


def adx_mapping_path() -> Path:
    from matis.official_statistics.loader import data_path

    return data_path(MAPPING_FILE)


@transaction.atomic
def adx_mapping_load(path: Path | None = None, *, update: bool = False) -> str:
    """Create the file's mappings the table lacks (``update``: reset the file's ones too)."""
    from matis.common.models import Country
    from matis.official_statistics.models import Code, Dimension, StatisticalIndicator

    data = yaml.safe_load((path or adx_mapping_path()).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format_version") != 1:
        raise AdxMappingError("the ADX mapping file must be a mapping with format_version: 1")
    indicators = set(StatisticalIndicator.objects.values_list("code", flat=True))
    dimensions = dict(Dimension.objects.values_list("code", "code_list_id"))
    codes: dict[int, set[str]] = {}
    for list_id, code in Code.objects.values_list("code_list_id", "code"):
        codes.setdefault(list_id, set()).add(code)
    countries = set(Country.objects.values_list("iso3", flat=True))
    categories = {str(k): str(v) for k, v in (data.get("categories") or {}).items()}
    wanted: list[tuple[str, str, str, str]] = []
    for dhis2, matis in (data.get("data_elements") or {}).items():
        if matis not in indicators:
            raise AdxMappingError(f"data_elements {dhis2}: no indicator {matis}")
        wanted.append((Kind.DATA_ELEMENT, "", str(dhis2), str(matis)))
    for dhis2, matis in categories.items():
        if matis not in dimensions:
            raise AdxMappingError(f"categories {dhis2}: no dimension {matis}")
        wanted.append((Kind.CATEGORY, "", dhis2, matis))
    for category, options in (data.get("category_options") or {}).items():
        dim = categories.get(str(category))
        if dim is None:
            raise AdxMappingError(f"category_options {category}: not under categories")
        for dhis2, matis in (options or {}).items():
            if str(matis) not in codes.get(dimensions[dim], set()):
                raise AdxMappingError(f"category_options {category} {dhis2}: {dim} has no {matis}")
            wanted.append((Kind.CATEGORY_OPTION, str(category), str(dhis2), str(matis)))
    for dhis2, matis in (data.get("org_units") or {}).items():
        if matis not in countries:
            raise AdxMappingError(f"org_units {dhis2}: no country {matis}")
        wanted.append((Kind.ORG_UNIT, "", str(dhis2), str(matis)))
    existing = {(a.kind, a.category, a.dhis2_code): a for a in AdxCode.objects.all()}
    taken = {(a.kind, a.category, a.matis_code) for a in existing.values()}
    created = updated = 0
    for kind, category, dhis2, matis in wanted:
        current = existing.get((kind, category, dhis2))
        if current is None:
            if (kind, category, matis) in taken:
                continue  # an administrator mapped this MATIS code to another DHIS2 code
            AdxCode.objects.create(kind=kind, category=category, dhis2_code=dhis2, matis_code=matis)
            taken.add((kind, category, matis))
            created += 1
        elif update and current.matis_code != matis:
            current.matis_code = matis
            current.save(update_fields=["matis_code"])
            updated += 1
    if not (created or updated):
        return "ADX code mapping: already loaded, nothing changed"
    return f"ADX code mapping: {created} created, {updated} updated"


# --- reading -----------------------------------------------------------------------------


class _StopReading(Exception):
    """Raised inside the SAX handler when the file is not ADX at all."""


class _AdxHandler(ContentHandler):
    def __init__(self, parse: _AdxParse):
        super().__init__()
        self.parse = parse
        self.locator = None
        self.depth = 0
        self.group: dict[str, str] | None = None
        self.group_line = 0

    def setDocumentLocator(self, locator):
        self.locator = locator

    def _line(self) -> int:
        return self.locator.getLineNumber() if self.locator else 0

    def startElementNS(self, name, qname, attrs):
        self.depth += 1
        uri, local = name
        line = self._line()
        plain = {n[1]: v for n, v in attrs.items() if n[0] is None}
        if self.depth == 1:
            if (uri, local) != (ADX_NS, "adx"):
                raise _StopReading(
                    _("this is not ADX: the root element must be adx in the namespace %(ns)s")
                    % {"ns": ADX_NS}
                )
            return
        if uri != ADX_NS:
            return  # extensions in other namespaces are allowed and ignored
        if self.depth == 2 and local == "group":
            self.group, self.group_line = plain, line
            self.parse.start_group(line, plain)
        elif self.depth == 3 and local == "dataValue" and self.group is not None:
            self.parse.data_value(line, self.group, plain)
        elif not (self.depth == 4 and local == "annotation"):
            self.parse.result.error(
                line, _("unexpected element %(element)s here") % {"element": local}, local
            )

    def endElementNS(self, name, qname):
        if self.depth == 2:
            self.group = None
        self.depth -= 1


class _AdxParse:
    """The checks of one ADX file, element by element."""

    def __init__(self, lookup, mapping: AdxMapping, scope, progress, total):
        self.lookup = lookup
        self.mapping = mapping
        self.result = ParseResult()
        self.check = RowChecker(lookup, scope or ImportScope(), self.result)
        self.progress = progress
        self.total = total
        self.group_ok = False
        self.group_skipped = False
        self.country: str | None = None
        self.year: int | None = None
        self.group_dims: dict[str, str] = {}
        self.source = ""

    def error(self, line: int, message: str, where: str) -> None:
        self.result.error(line, message, where)

    def start_group(self, line: int, attrs: dict[str, str]) -> None:
        before = self.result.n_errors
        self.country = self.year = None
        self.group_skipped = False
        org_unit, period = attrs.get("orgUnit"), attrs.get("period")
        if not org_unit:
            self.error(line, _("the group has no orgUnit"), "group")
        elif org_unit not in self.mapping.countries:
            self.error(
                line,
                _("orgUnit %(code)r is not mapped to a country (ADX code mapping)%(nearest)s")
                % {"code": org_unit, "nearest": _nearest(org_unit, self.mapping.countries)},
                "group@orgUnit",
            )
        else:
            skipped = self.result.n_skipped_other_country
            self.country = self.check.country(
                line, self.mapping.countries[org_unit], "group@orgUnit"
            )
            if self.result.n_skipped_other_country != skipped:
                # Another country's group, skipped on request: counted per value below.
                self.result.n_skipped_other_country = skipped
                self.group_skipped = True
        match = YEAR_PERIOD.match((period or "").strip())
        if not match:
            self.error(
                line,
                _("period %(value)r is not a calendar year (e.g. 2023-01-01/P1Y or 2023)")
                % {"value": period or ""},
                "group@period",
            )
        else:
            self.year = self.check.year(line, match.group(1), "group@period")
        self.group_dims = self._dimensions(
            line, {k: v for k, v in attrs.items() if k not in GROUP_ATTRIBUTES}, "group"
        )
        self.source = (attrs.get("dataSet") or "")[:100]
        self.group_ok = self.result.n_errors == before and self.country and self.year

    def _dimensions(self, line: int, attrs: dict[str, str], element: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for category, option in attrs.items():
            where = f"{element}@{category}"
            dim_code = self.mapping.dimensions.get(category)
            if dim_code is None or dim_code not in self.lookup.dimensions:
                self.error(
                    line,
                    _("attribute %(name)r is not a mapped category (ADX code mapping)%(nearest)s")
                    % {"name": category, "nearest": _nearest(category, self.mapping.dimensions)},
                    where,
                )
                continue
            options = self.mapping.options.get(category, {})
            code = options.get(option)
            if code is None:
                self.error(
                    line,
                    _(
                        "option %(option)r of category %(category)s is not mapped to a code "
                        "(ADX code mapping)%(nearest)s"
                    )
                    % {
                        "option": option,
                        "category": category,
                        "nearest": _nearest(option, options),
                    },
                    where,
                )
                continue
            if code not in self.lookup.dimensions[dim_code].codes:
                self.error(
                    line,
                    _("%(value)r is not in the code list of %(dimension)s")
                    % {"value": code, "dimension": dim_code},
                    where,
                )
                continue
            found[dim_code] = code
        return found

    def data_value(self, line: int, group: dict[str, str], attrs: dict[str, str]) -> None:
        result = self.result
        result.n_lines += 1
        if self.progress and result.n_lines % PROGRESS_EVERY == 0:
            self.progress("read", result.n_lines, self.total)
        if self.group_skipped:
            result.n_skipped_other_country += 1
            return
        before = result.n_errors
        element = attrs.get("dataElement")
        indicator = None
        if not element:
            self.error(line, _("the dataValue has no dataElement"), "dataValue")
        elif element not in self.mapping.indicators:
            self.error(
                line,
                _(
                    "dataElement %(code)r is not mapped to a statistical indicator "
                    "(ADX code mapping)%(nearest)s"
                )
                % {"code": element, "nearest": _nearest(element, self.mapping.indicators)},
                "dataValue@dataElement",
            )
        else:
            indicator = self.lookup.indicator(self.mapping.indicators[element], labels=False)
            if indicator is None:
                self.error(
                    line,
                    _(
                        "dataElement %(code)r maps to %(indicator)s, which is not an active indicator"
                    )
                    % {"code": element, "indicator": self.mapping.indicators[element]},
                    "dataValue@dataElement",
                )
        dims = dict(self.group_dims)
        own = self._dimensions(
            line, {k: v for k, v in attrs.items() if k not in VALUE_ATTRIBUTES}, "dataValue"
        )
        for dim_code in own.keys() & dims.keys():
            self.error(
                line,
                _("%(dimension)s is given on both the group and the dataValue")
                % {"dimension": dim_code},
                "dataValue",
            )
        dims.update(own)
        if indicator is not None:
            for dim_code in dims:
                if dim_code not in indicator.dimensions:
                    self.error(
                        line,
                        _("indicator %(indicator)s has no breakdown by %(dimension)s")
                        % {"indicator": indicator.code, "dimension": dim_code},
                        "dataValue",
                    )
        raw = attrs.get("value")
        value = None
        try:
            value = Decimal((raw or "").strip())
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.error(
                line,
                _("value %(value)r is not a number (ADX values are decimals)") % {"value": raw},
                "dataValue@value",
            )
        if result.n_errors != before or not self.group_ok or indicator is None:
            return
        key = SEPARATOR.join(f"{d}={c}" for d, c in sorted(dims.items()))
        ident = (indicator.id, self.country, self.year, key)
        first = self.check.seen.get(ident)
        if first is not None:
            self.error(
                line,
                _("the same observation as line %(line)s (after mapping codes)") % {"line": first},
                "dataValue",
            )
            return
        self.check.seen[ident] = line
        number = float(value)
        result.rows.append(
            (
                line,
                indicator.id,
                self.country,
                self.year,
                key,
                number,
                None,
                False,
                False,
                False,
                self.source,
            )
        )


def parse_adx(
    source: IO[bytes] | str,
    lookup: StructureLookup,
    scope: ImportScope | None = None,
    progress: Progress | None = None,
    total_lines: int = 0,
) -> ParseResult:
    """Read an ADX file: one row per ``dataValue``, codes translated by the ADX mapping."""
    parse = _AdxParse(lookup, AdxMapping.load(), scope, progress, total_lines)
    parser = make_parser()
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(_AdxHandler(parse))
    if isinstance(source, str):
        import io

        source = io.BytesIO(source.encode("utf-8"))
    try:
        parser.parse(source)
    except _StopReading as exc:
        raise FileFormatError(str(exc)) from None
    except SAXParseException as exc:
        raise FileFormatError(
            _("line %(line)s: the XML is not well formed (%(reason)s)")
            % {"line": exc.getLineNumber(), "reason": exc.getMessage()}
        ) from None
    except DefusedXmlException as exc:
        raise FileFormatError(
            _("the XML declares a DTD, entity or external reference, which is refused (%(what)s)")
            % {"what": type(exc).__name__}
        ) from None
    if not parse.result.n_lines and not parse.result.n_errors:
        raise FileFormatError(_("the ADX file holds no dataValue"))
    return parse.result


# --- writing -----------------------------------------------------------------------------


class AdxExportError(ValueError):
    """A figure to export has a code the ADX mapping does not map; the message names it."""


@dataclass
class AdxExport:
    text: str
    n_values: int
    n_withheld: int  # censored (<5) or missing figures: ADX values are numbers only


def observations_adx(rows: Iterable[tuple], *, data_set: str = DEFAULT_DATA_SET) -> AdxExport:
    """ADX for observation rows (``OBSERVATION_FIELDS`` tuples), grouped by country and year.

    A figure published only as "below N", or missing, has no number to write:
    it is withheld (counted, and noted in a comment), never written as a number.
    """
    from matis.official_statistics.models import StatisticalIndicator

    mapping = AdxMapping.load()
    elements = AdxMapping.reverse(mapping.indicators)
    categories = AdxMapping.reverse(mapping.dimensions)
    options = {cat: AdxMapping.reverse(opts) for cat, opts in mapping.options.items()}
    org_units = AdxMapping.reverse(mapping.countries)
    indicator_codes = dict(StatisticalIndicator.objects.values_list("pk", "code"))
    groups: dict[tuple[str, int], list[str]] = {}
    n_values = n_withheld = 0
    for ind, country, year, key, value, cens, missing, *_rest in rows:
        if value is None or cens is not None or missing:
            n_withheld += 1
            continue
        code = indicator_codes[ind]
        if code not in elements:
            raise AdxExportError(
                _("indicator %(code)s has no DHIS2 data element in the ADX code mapping")
                % {"code": code}
            )
        if country not in org_units:
            raise AdxExportError(
                _("country %(code)s has no DHIS2 organisation unit in the ADX code mapping")
                % {"code": country}
            )
        attrs = [("dataElement", elements[code])]
        for dim_code, dim_value in parse_key(key).items():
            category = categories.get(dim_code)
            option = options.get(category or "", {}).get(dim_value)
            if category is None or option is None:
                raise AdxExportError(
                    _("%(dimension)s=%(code)s has no DHIS2 category option in the ADX code mapping")
                    % {"dimension": dim_code, "code": dim_value}
                )
            attrs.append((category, option))
        attrs.append(("value", _number(value)))
        cells = " ".join(f"{name}={quoteattr(text)}" for name, text in attrs)
        groups.setdefault((country, year), []).append(f"    <dataValue {cells}/>")
        n_values += 1
    exported = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<adx xmlns="{ADX_NS}" exported="{exported}">',
    ]
    if n_withheld:
        lines.append(
            f"  <!-- {n_withheld} figure(s) published only as 'below N' or missing are withheld:"
            " ADX values are numbers -->"
        )
    for (country, year), values in sorted(groups.items()):
        lines.append(
            f'  <group orgUnit={quoteattr(org_units[country])} period="{year}-01-01/P1Y" '
            f"dataSet={quoteattr(data_set)}>"
        )
        lines.extend(values)
        lines.append("  </group>")
    lines.append("</adx>")
    return AdxExport("\n".join(lines) + "\n", n_values, n_withheld)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
