"""Observation values as text: parsing ``"1,353"``, ``<5`` and ``..``; showing them back.

A value below a disclosure threshold (``<5``) is kept as a flag with no number;
it is shown as ``<5`` everywhere and never replaced by a guess.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MISSING_TEXTS = frozenset({"..", "…", "NA", "N/A", "n/a", "-", "M"})
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_CENSORED = re.compile(r"^<\s*(\d+)$")


class ValueParseError(ValueError):
    """A value cell that cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class ParsedValue:
    value: float | None
    censored_below: int | None = None
    is_missing: bool = False


def parse_value(text) -> ParsedValue:
    """Read one value cell (text from CSV, or a number from Excel).

    ``"609"`` and ``"1,353"`` are numbers; ``"<5"`` is censored (no number,
    ``censored_below=5``); ``".."`` marks a value reported as missing. An empty
    cell is an error: write ``..`` for a missing value.
    """
    if text is None:
        raise ValueParseError(_("the value is empty (write .. for a value that is missing)"))
    if isinstance(text, bool):
        raise ValueParseError(_("%(value)r is not a number") % {"value": text})
    if isinstance(text, int | float):
        if not math.isfinite(text):
            raise ValueParseError(_("%(value)r is not a finite number") % {"value": text})
        return ParsedValue(float(text))
    s = str(text).strip()
    if s.isdigit():
        return ParsedValue(float(s))
    if not s:
        raise ValueParseError(_("the value is empty (write .. for a value that is missing)"))
    if s in MISSING_TEXTS:
        return ParsedValue(None, is_missing=True)
    m = _CENSORED.match(s)
    if m:
        bound = int(m.group(1))
        if bound < 1 or bound > 1000:
            raise ValueParseError(
                _("%(value)r: the threshold must be between 1 and 1000") % {"value": s}
            )
        return ParsedValue(None, censored_below=bound)
    if _GROUPED.match(s):
        return ParsedValue(float(s.replace(",", "")))
    if _PLAIN.match(s):
        v = float(s)
        if math.isfinite(v):
            return ParsedValue(v)
    raise ValueParseError(
        _("%(value)r is not a number, a censored value such as <5, or .. for missing")
        % {"value": s}
    )


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def display_value(value: float | None, censored_below: int | None, is_missing: bool = False) -> str:
    """The value as people read it: ``1,353``, ``<5`` or ``..``."""
    if censored_below is not None:
        return f"<{censored_below}"
    if is_missing or value is None:
        return ".."
    return format_number(value)


def export_value(value: float | None, censored_below: int | None, is_missing: bool = False) -> str:
    """The value as written to CSV/Excel files (no grouping commas): ``1353``, ``<5``, ``..``."""
    if censored_below is not None:
        return f"<{censored_below}"
    if is_missing or value is None:
        return ".."
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def value_interval(value: float | None, censored_below: int | None) -> tuple[float, float] | None:
    """The range a value certainly lies in: a number is itself, ``<5`` is [0, 5]; missing is None."""
    if censored_below is not None:
        return (0.0, float(censored_below))
    if value is None:
        return None
    return (value, value)
