"""Generalisation hierarchies: how a quasi-identifier is coarsened, level by level.

Level 0 is the value as recorded; the last level is ``"*"`` (the value
suppressed). Every hierarchy maps a whole column at once and keeps missing
values missing.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "SUPPRESSED",
    "AgeHierarchy",
    "DateHierarchy",
    "Hierarchy",
    "MappingHierarchy",
    "SuppressionHierarchy",
]

SUPPRESSED = "*"


class Hierarchy:
    """Base class: ``n_levels`` levels, ``generalise(values, level)`` maps a column to one."""

    labels: tuple[str, ...] = ("value", "suppressed")

    @property
    def n_levels(self) -> int:
        return len(self.labels)

    def generalise(self, values: pd.Series, level: int) -> pd.Series:
        if not 0 <= level < self.n_levels:
            raise ValueError(f"level must be in [0, {self.n_levels - 1}], not {level}")
        if level == self.n_levels - 1:
            return pd.Series(SUPPRESSED, index=values.index, dtype=object)
        if level == 0:
            return values.astype(object)
        return self._generalise(values, level)

    def _generalise(self, values: pd.Series, level: int) -> pd.Series:
        raise NotImplementedError


@dataclass(frozen=True)
class SuppressionHierarchy(Hierarchy):
    """Two levels: the value, or ``"*"``."""

    labels: tuple[str, ...] = ("value", "suppressed")


def _band(values: pd.Series, edges: Sequence[float]) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    edges = list(edges)
    labels = []
    for lo, hi in itertools.pairwise(edges):
        labels.append(f"{int(lo)}+" if not np.isfinite(hi) else f"{int(lo)}-{int(hi) - 1}")
    cut = pd.cut(numbers, bins=edges, right=False, labels=labels)
    return cut.astype(object).where(numbers.notna(), None)


@dataclass(frozen=True)
class AgeHierarchy(Hierarchy):
    """Age in years -> bands of ``width`` years -> broad bands -> ``"*"``.

    The broad bands default to child / young adult / adult / older
    (0-17, 18-29, 30-49, 50+), the split used in trafficking statistics.
    """

    width: int = 5
    broad_edges: tuple[float, ...] = (0, 18, 30, 50, float("inf"))
    labels: tuple[str, ...] = ("age", "age band", "broad age band", "suppressed")

    def _generalise(self, values: pd.Series, level: int) -> pd.Series:
        if level == 1:
            top = max(pd.to_numeric(values, errors="coerce").max(skipna=True), 0)
            top = 0 if pd.isna(top) else top
            edges = list(range(0, int(top) + self.width + 1, self.width))
            return _band(values, edges)
        return _band(values, self.broad_edges)


@dataclass(frozen=True)
class DateHierarchy(Hierarchy):
    """Date -> year -> period of ``period_years`` years -> ``"*"``."""

    period_years: int = 5
    labels: tuple[str, ...] = ("date", "year", "period", "suppressed")

    def _generalise(self, values: pd.Series, level: int) -> pd.Series:
        dates = pd.to_datetime(values, errors="coerce")
        years = dates.dt.year
        if level == 1:
            return years.astype("Int64").astype(object).where(dates.notna(), None)
        start = (years // self.period_years) * self.period_years
        text = (
            start.astype("Int64").astype(str)
            + "-"
            + (start + self.period_years - 1).astype("Int64").astype(str)
        )
        return text.astype(object).where(dates.notna(), None)


@dataclass(frozen=True)
class MappingHierarchy(Hierarchy):
    """Levels given as mappings, e.g. province -> country -> region.

    ``maps[0]`` maps a recorded value to level 1, ``maps[1]`` a level-1 value
    to level 2, and so on; values without an entry become ``"*"``.
    """

    maps: tuple[Mapping[object, object], ...] = ()
    names: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:  # type: ignore[override]
        names = self.names or tuple(f"level {i}" for i in range(1, len(self.maps) + 1))
        return ("value", *names, "suppressed")

    def _generalise(self, values: pd.Series, level: int) -> pd.Series:
        out = values.astype(object)
        for mapping in self.maps[:level]:
            out = out.map(lambda v, m=mapping: v if pd.isna(v) else m.get(v, SUPPRESSED))
        return out
