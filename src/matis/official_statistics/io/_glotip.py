"""The UNODC GLOTIP data-portal export."""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _

from matis.common.importing import FileFormatError, csv_rows
from matis.official_statistics.io._base import (
    GLOTIP_COLUMNS,
    PROGRESS_EVERY,
    SOURCE_ITEM,
    ImportScope,
    ParseResult,
    Progress,
    Row,
    RowChecker,
)
from matis.official_statistics.io.lookup import StructureLookup, fold
from matis.official_statistics.keys import SEPARATOR
from matis.official_statistics.models.structure import UNIT_SOURCE_LABELS
from matis.official_statistics.values import ValueParseError, parse_value


def parse_glotip(
    source: IO[bytes] | str,
    lookup: StructureLookup,
    scope: ImportScope | None = None,
    progress: Progress | None = None,
    total_lines: int = 0,
) -> ParseResult:
    """Read the UNODC GLOTIP data-portal export exactly as downloaded (CSV).

    Columns: Iso3_code, Country, Region, Subregion, StatisticalIndicator, Dimension,
    Category, Sex, Age, Year, Unit of measurement, txtVALUE, Source. Several
    rows with identical key columns are sub-categories the export does not
    name; they are kept, numbered in file order in the ``SOURCE_ITEM`` dimension.
    """
    result = ParseResult()
    check = RowChecker(lookup, scope or ImportScope(), result)
    header, rows = csv_rows(source)
    missing = [c for c in GLOTIP_COLUMNS if c not in header]
    if missing:
        raise FileFormatError(
            _("this is not a GLOTIP export: line 1 lacks the column(s) %(columns)s")
            % {"columns": ", ".join(missing)}
        )
    col = {name: header.index(name) for name in GLOTIP_COLUMNS}
    dims = lookup.dimensions
    sex, age = dims.get("SEX"), dims.get("AGE")
    if sex is None or age is None:
        raise FileFormatError(_("the statistics structure has no SEX or AGE dimension"))
    pending: list[tuple[tuple, Row, frozenset[str]]] = []
    raw_groups: dict[tuple, list[int]] = {}
    width = len(header)
    for line, values in rows:
        result.n_lines += 1
        if progress and result.n_lines % PROGRESS_EVERY == 0:
            progress("read", result.n_lines, total_lines)
        if len(values) != width:
            if not any(v.strip() for v in values):
                continue  # a blank line
            result.error(
                line,
                _("expected %(n)s cells, found %(found)s") % {"n": width, "found": len(values)},
            )
            continue
        before = result.n_errors
        iso3 = _row_country(check, line, values[col["Iso3_code"]], values[col["Country"]])
        indicator_text = values[col["Indicator"]]
        indicator = lookup.indicator(indicator_text)
        if indicator is None:
            result.error(
                line, _("unknown indicator %(value)r") % {"value": indicator_text}, "Indicator"
            )
        year = check.year(line, values[col["Year"]], "Year")
        key_values: dict[str, str] = {}
        geo_category: str | None = None
        dim_text, category = values[col["Dimension"]].strip(), values[col["Category"]].strip()
        if fold(dim_text) == "total":
            if fold(category) != "total":
                result.error(
                    line,
                    _("Dimension is Total but Category is %(value)r") % {"value": category},
                    "Category",
                )
        else:
            dim_code = lookup.dimension_by_label.get(fold(dim_text))
            if dim_code is None:
                result.error(
                    line, _("unknown dimension %(value)r") % {"value": dim_text}, "Dimension"
                )
            else:
                dim_lookup = dims[dim_code]
                code = dim_lookup.resolve(category or "(blank)")
                if code is None and dim_lookup.geographic and category:
                    # "Viet Nam", "Vietnamese", "Viêt Nam": any form the alias table
                    # knows; an unknown form is reported with the nearest known names.
                    code = check.geo_code(line, dim_lookup, category, "Category")
                elif code is None:
                    result.error(
                        line,
                        _("%(value)r is not in the code list of %(dimension)s")
                        % {"value": category, "dimension": dim_code},
                        "Category",
                    )
                if code:
                    key_values[dim_code] = code
                    if dim_lookup.geographic:
                        geo_category = code
        for lk, column in ((sex, "Sex"), (age, "Age")):
            text = values[col[column]].strip()
            code = lk.resolve(text)
            if code is None:
                result.error(
                    line,
                    _("%(value)r is not in the code list of %(dimension)s")
                    % {"value": text, "dimension": lk.code},
                    column,
                )
            elif code:
                key_values[lk.code] = code
        if indicator is not None:
            for dim_code in key_values:
                if dim_code not in indicator.dimensions:
                    result.error(
                        line,
                        _("indicator %(indicator)s has no breakdown by %(dimension)s")
                        % {"indicator": indicator.code, "dimension": dim_code},
                    )
            unit_text = values[col["Unit of measurement"]]
            unit = UNIT_SOURCE_LABELS.get(fold(unit_text))
            if unit != indicator.unit:
                result.error(
                    line,
                    _("unit %(value)r does not match the indicator's unit (%(unit)s)")
                    % {"value": unit_text, "unit": indicator.unit},
                    "Unit of measurement",
                )
        try:
            parsed = parse_value(values[col["txtVALUE"]])
        except ValueParseError as exc:
            result.error(line, str(exc), "txtVALUE")
            parsed = None
        source_text = values[col["Source"]].strip()[:100]
        if result.n_errors != before or iso3 is None:
            continue
        # Rows naming one country in two forms ("Vietnamese", "Viet Nam") are the
        # same cell: they are repeats (numbered), not two different categories.
        raw_key = (
            iso3,
            fold(indicator_text),
            fold(dim_text),
            geo_category if geo_category is not None else category,
            values[col["Sex"]].strip(),
            values[col["Age"]].strip(),
            year,
        )
        row = (
            line,
            indicator.id,
            iso3,
            year,
            key_values,
            parsed.value,
            parsed.censored_below,
            parsed.is_missing,
            False,
            False,
            source_text,
        )
        raw_groups.setdefault(raw_key, []).append(len(pending))
        pending.append((raw_key, row, indicator.dimensions))
    # Number repeated rows; then build the canonical keys and check them for clashes.
    for members in raw_groups.values():
        if len(members) < 2:
            continue
        for item, index in enumerate(members, start=1):
            raw_key, row, allowed = pending[index]
            if SOURCE_ITEM not in allowed:
                result.error(
                    row[0],
                    _(
                        "the file repeats this row and the indicator has no "
                        "%(dimension)s dimension to tell the repeats apart"
                    )
                    % {"dimension": SOURCE_ITEM},
                )
                continue
            if str(item) not in dims[SOURCE_ITEM].codes:
                result.error(
                    row[0],
                    _("more repeats of this row than %(dimension)s has codes")
                    % {"dimension": SOURCE_ITEM},
                )
                continue
            row[4][SOURCE_ITEM] = str(item)
    for _raw_key, row, _allowed in pending:
        key = SEPARATOR.join(f"{d}={c}" for d, c in sorted(row[4].items()))
        ident = (row[1], row[2], row[3], key)
        first = check.seen.get(ident)
        if first is not None:
            result.error(
                row[0],
                _("the same observation as line %(line)s (after mapping labels to codes)")
                % {"line": first},
            )
            continue
        check.seen[ident] = row[0]
        result.rows.append((*row[:4], key, *row[5:]))
    return result


def _row_country(check: RowChecker, line: int, code_text: str, name_text: str) -> str | None:
    """The row's country: Iso3_code, checked against the Country name; or the name alone.

    The name may be in any form the country alias table knows; a name that
    contradicts the code is an error, as is a name no alias matches.
    """
    code_text, name_text = code_text.strip(), name_text.strip()
    if not code_text and name_text:
        named = check.country_named(line, name_text, "Country")
        return check.country(line, named, "Country") if named else None
    iso3 = check.country(line, code_text, "Iso3_code")
    if iso3 and name_text:
        named = check.country_named(line, name_text, "Country")
        if named and named != iso3:
            check.result.error(
                line,
                _("the Country %(name)r is %(named)s, but Iso3_code says %(code)s")
                % {"name": name_text, "named": named, "code": iso3},
                "Country",
            )
            return None
    return iso3
