"""The validation-rule engine: parse a rule's sides, evaluate them on a submission's cells.

A *cell* is one observation of the submission: (indicator, series key). A
rule ``left operator right`` is checked on every cell it applies to. Terms:

``value``            the cell's value
``sum`` / ``count``  the sum / number of the cell's breakdown by the rule's
                     dimension (the cells one level below it)
``history_median``   median of the same series in the country's other years
``robust_z``         |value - median| / (1.4826 x MAD) over those other years
``indicator:CODE``   the same cell of another indicator
a number, or ``<number> * <term>``.

Censored figures (``<5``) are intervals ([0, 5]); a rule fires only when it is
broken for every value the interval allows, so a suppressed figure never makes
a false alarm. A term that cannot be computed (missing value, no breakdown,
too little history) skips the check for that cell.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass

from matis.official_statistics.keys import SEPARATOR, key_with, key_without, parse_key
from matis.official_statistics.values import format_number, value_interval

Interval = tuple[float, float]

_SIDE_RE = re.compile(
    r"^\s*(?:(?P<factor>\d+(?:\.\d+)?)\s*\*\s*)?"
    r"(?P<term>value|sum|count|history_median|robust_z|indicator:(?P<ind>[A-Z][A-Z0-9_]*)"
    r"|(?P<number>-?\d+(?:\.\d+)?))\s*$"
)
DIMENSION_TERMS = frozenset({"sum", "count"})
HISTORY_TERMS = frozenset({"history_median", "robust_z"})


class RuleSyntaxError(ValueError):
    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Term:
    kind: str  # value, sum, count, history_median, robust_z, indicator, number
    factor: float = 1.0
    number: float | None = None
    indicator_code: str | None = None


def parse_side(text: str, field: str = "left_side") -> Term:
    m = _SIDE_RE.match(text or "")
    if not m:
        raise RuleSyntaxError(
            field,
            f"{text!r} is not a term: use value, sum, count, history_median, robust_z, "
            "indicator:CODE, a number, or <number> * <term>",
        )
    factor = float(m.group("factor")) if m.group("factor") else 1.0
    if m.group("number") is not None:
        return Term("number", number=float(m.group("number")) * factor)
    if m.group("ind"):
        return Term("indicator", factor=factor, indicator_code=m.group("ind"))
    return Term(m.group("term"), factor=factor)


def check_rule_syntax(rule) -> tuple[Term, Term]:
    """Parse both sides of ``rule``; raise :class:`RuleSyntaxError` naming the field at fault."""
    from matis.official_statistics.models import StatisticalIndicator

    left = parse_side(rule.left_side, "left_side")
    right = parse_side(rule.right_side, "right_side")
    for term, field in ((left, "left_side"), (right, "right_side")):
        if term.kind in DIMENSION_TERMS and not rule.dimension_id:
            raise RuleSyntaxError("dimension", f"the term {term.kind} needs a breakdown dimension")
        if (
            term.kind == "indicator"
            and not StatisticalIndicator.objects.filter(code=term.indicator_code).exists()
        ):
            raise RuleSyntaxError(field, f"there is no indicator {term.indicator_code}")
    if left.kind == "number" and right.kind == "number":
        raise RuleSyntaxError("left_side", "one side must refer to the data")
    return left, right


def violated(op: str, left: Interval, right: Interval) -> bool:
    """True when ``left op right`` is false for every pair of values the intervals allow."""
    (llo, lhi), (rlo, rhi) = left, right
    if op == "<=":
        return llo > rhi
    if op == "<":
        return llo >= rhi
    if op == ">=":
        return lhi < rlo
    if op == ">":
        return lhi <= rlo
    if op == "==":
        return lhi < rlo or llo > rhi
    if op == "!=":
        return llo == lhi == rlo == rhi
    raise ValueError(f"unknown operator {op!r}")


def format_interval(interval: Interval) -> str:
    lo, hi = interval
    if math.isinf(hi):
        return "∞"
    if lo == hi:
        return format_number(round(lo, 2))
    return f"{format_number(round(lo, 2))}–{format_number(round(hi, 2))}"


@dataclass
class Finding:
    rule_id: int
    severity: str
    indicator_id: int
    series_key: str
    left_text: str
    right_text: str


@dataclass
class SubmissionCells:
    """Everything the rules need about one submission, loaded in a fixed number of queries."""

    cells: dict[tuple[int, str], tuple[float | None, int | None, bool]]
    history: dict[tuple[int, str], list[float]]
    code_parents: dict[str, dict[str, str]]  # dimension code -> {code: parent code}

    def interval(self, indicator_id: int, key: str) -> Interval | None:
        cell = self.cells.get((indicator_id, key))
        if cell is None or cell[2]:
            return None
        return value_interval(cell[0], cell[1])

    def parent_key(self, key: str, dimension: str) -> str | None:
        values = parse_key(key)
        code = values.get(dimension)
        if code is None:
            return None
        parent = self.code_parents.get(dimension, {}).get(code)
        return key_with(key, dimension, parent) if parent else key_without(key, dimension)

    def children_index(self, dimension: str) -> dict[tuple[int, str], list[str]]:
        token = dimension + "="
        index: dict[tuple[int, str], list[str]] = defaultdict(list)
        for indicator_id, key in self.cells:
            if not (key.startswith(token) or (SEPARATOR + token) in key):
                continue
            parent = self.parent_key(key, dimension)
            index[(indicator_id, parent)].append(key)
        return index


class RuleEvaluator:
    def __init__(self, rules, data: SubmissionCells, indicator_ids_by_code: dict[str, int]):
        self.rules = rules
        self.data = data
        self.indicator_ids = indicator_ids_by_code
        self._children: dict[str, dict] = {}

    def children(self, dimension: str):
        if dimension not in self._children:
            self._children[dimension] = self.data.children_index(dimension)
        return self._children[dimension]

    def term(self, term: Term, rule, indicator_id: int, key: str) -> Interval | None:
        data = self.data
        if term.kind == "number":
            return (term.number, term.number)
        if term.kind == "value":
            iv = data.interval(indicator_id, key)
        elif term.kind == "indicator":
            other = self.indicator_ids.get(term.indicator_code)
            iv = data.interval(other, key) if other is not None else None
        elif term.kind in DIMENSION_TERMS:
            kids = self.children(rule.dimension.code).get((indicator_id, key), [])
            intervals = [data.interval(indicator_id, k) for k in kids]
            intervals = [i for i in intervals if i is not None]
            if term.kind == "count":
                iv = (float(len(intervals)), float(len(intervals)))
            elif not intervals:
                return None
            else:
                iv = (sum(i[0] for i in intervals), sum(i[1] for i in intervals))
        else:  # history terms
            history = data.history.get((indicator_id, key), [])
            if len(history) < rule.min_history:
                return None
            median = statistics.median(history)
            if term.kind == "history_median":
                iv = (median, median)
            else:
                own = data.interval(indicator_id, key)
                if own is None or own[0] != own[1]:
                    return None
                mad = statistics.median(abs(x - median) for x in history)
                if mad == 0:
                    z = 0.0 if own[0] == median else math.inf
                else:
                    z = abs(own[0] - median) / (1.4826 * mad)
                iv = (z, z)
        if iv is None:
            return None
        return (iv[0] * term.factor, iv[1] * term.factor)

    def run(self) -> list[Finding]:
        findings = []
        cells_by_indicator: dict[int, list[str]] = defaultdict(list)
        for indicator_id, key in self.data.cells:
            cells_by_indicator[indicator_id].append(key)
        for rule in self.rules:
            left, right = parse_side(rule.left_side), parse_side(rule.right_side, "right_side")
            indicators = [rule.indicator_id] if rule.indicator_id else list(cells_by_indicator)
            for indicator_id in indicators:
                keys = cells_by_indicator.get(indicator_id, [])
                if rule.cells == "totals":
                    keys = [k for k in keys if k == ""]
                for key in keys:
                    lv = self.term(left, rule, indicator_id, key)
                    if lv is None:
                        continue
                    rv = self.term(right, rule, indicator_id, key)
                    if rv is None:
                        continue
                    if violated(rule.operator, lv, rv):
                        findings.append(
                            Finding(
                                rule.pk,
                                rule.severity,
                                indicator_id,
                                key,
                                format_interval(lv),
                                format_interval(rv),
                            )
                        )
        return findings
