"""Series keys: the dimension values of one observation as one canonical string.

A key lists the non-total dimension values sorted by dimension code,
``"AGE=Y0T17|SEX=F"``. A dimension left out is its total, so the grand total
of an indicator has the empty key ``""``. One string column with a unique
index makes bulk import and exact-match queries fast; :func:`key_token_q`
filters on a single dimension value inside keys.
"""

from __future__ import annotations

import re

from django.db.models import Q

# SDMX special codes: _T total, _Z not applicable. Both mean "left out of the key".
TOTAL_CODES = frozenset({"_T", "_Z", ""})
# Hyphens are allowed inside a code (ISO 3166-2 province codes such as TH-50; SDMX IDs allow them).
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
DIMENSION_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")
SEPARATOR = "|"


def make_key(values: dict[str, str]) -> str:
    """The canonical key for ``{dimension code: code}``; totals are dropped."""
    return SEPARATOR.join(
        f"{dim}={code}" for dim, code in sorted(values.items()) if code not in TOTAL_CODES
    )


def parse_key(key: str) -> dict[str, str]:
    """The inverse of :func:`make_key`."""
    if not key:
        return {}
    out = {}
    for part in key.split(SEPARATOR):
        dim, _, code = part.partition("=")
        out[dim] = code
    return out


def key_with(key: str, dimension: str, code: str) -> str:
    values = parse_key(key)
    values[dimension] = code
    return make_key(values)


def key_without(key: str, dimension: str) -> str:
    values = parse_key(key)
    values.pop(dimension, None)
    return make_key(values)


def key_token_q(dimension: str, code: str, field: str = "series_key") -> Q:
    """A filter matching keys that hold ``dimension=code`` (anywhere in the key)."""
    token = f"{dimension}={code}"
    return (
        Q(**{field: token})
        | Q(**{f"{field}__startswith": token + SEPARATOR})
        | Q(**{f"{field}__endswith": SEPARATOR + token})
        | Q(**{f"{field}__contains": SEPARATOR + token + SEPARATOR})
    )
