"""k-anonymity by full-domain generalisation and suppression.

Every combination of generalisation levels (one level per quasi-identifier,
applied to the whole column) is a node of a lattice. The released data use
the node with the least information loss at which the records still in
groups smaller than ``k`` are at most ``max_suppression`` of the data; those
records are then suppressed (removed, or their quasi-identifiers set to
``"*"``). This is the approach of Samarati (2001) and ARX's global recoding,
searched exhaustively: with a handful of quasi-identifiers of three to five
levels each the lattice has a few hundred nodes.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._hierarchy import SUPPRESSED, Hierarchy, SuppressionHierarchy

__all__ = ["SUPPRESSION_MODES", "AnonymisationReport", "AnonymisationResult", "k_anonymise"]

SUPPRESSION_MODES = ("records", "cells")
_MAX_NODES = 20_000


@dataclass(frozen=True)
class AnonymisationReport:
    """What :func:`k_anonymise` did.

    ``levels`` maps each quasi-identifier to the name of the generalisation
    level used. ``n_groups`` and ``smallest_group`` describe the released
    equivalence classes (records with the same quasi-identifiers);
    ``information_loss`` is the mean over quasi-identifiers of
    ``level / (n_levels - 1)`` (0: nothing generalised, 1: all suppressed),
    ``suppressed_share`` the share of records suppressed, and
    ``discernibility`` the sum of squared group sizes, each suppressed record
    counting as a group of ``n_input`` (Bayardo & Agrawal 2005).
    """

    k: int
    quasi_identifiers: tuple[str, ...]
    levels: dict[str, str]
    level_numbers: dict[str, int]
    n_input: int
    n_released: int
    n_suppressed_records: int
    n_suppressed_cells: int
    n_groups: int
    smallest_group: int
    information_loss: float
    discernibility: float
    nodes_evaluated: int
    group_sizes: pd.Series = field(repr=False)
    l_diversity: int | None = None
    sensitive: tuple[str, ...] = ()
    n_withheld_for_diversity: int = 0
    within_budget: bool = True

    @property
    def suppressed_share(self) -> float:
        return self.n_suppressed_records / self.n_input if self.n_input else 0.0

    def summary(self) -> str:
        lines = [
            f"k-anonymity (k = {self.k}) by generalisation and suppression",
            "=" * 60,
            f"records in / released       {self.n_input:,} / {self.n_released:,}",
            f"suppressed records          {self.n_suppressed_records:,}"
            f" ({self.suppressed_share:.2%})",
            f"suppressed cells            {self.n_suppressed_cells:,}",
            f"groups / smallest group     {self.n_groups:,} / {self.smallest_group:,}",
            f"information loss            {self.information_loss:.3f} (0 = none, 1 = all)",
            f"discernibility              {self.discernibility:,.0f}",
        ]
        if self.l_diversity is not None:
            lines.append(
                f"l-diversity (l = {self.l_diversity}) over {', '.join(self.sensitive)}: "
                f"{self.n_withheld_for_diversity:,} records withheld"
            )
        if not self.within_budget:
            lines.append(
                "no generalisation met the suppression budget: the most general one is used"
            )
        lines.append("generalisation:")
        lines += [f"  {qi:<26}{self.levels[qi]}" for qi in self.quasi_identifiers]
        return "\n".join(lines)


@dataclass(frozen=True)
class AnonymisationResult:
    """``released`` (the data to publish or send) and its ``report``."""

    released: pd.DataFrame
    report: AnonymisationReport

    def summary(self) -> str:
        return self.report.summary()


def _hierarchies(
    data: pd.DataFrame, quasi_identifiers: Mapping[str, Hierarchy | None] | Sequence[str]
) -> dict[str, Hierarchy]:
    if isinstance(quasi_identifiers, Mapping):
        items = dict(quasi_identifiers)
    else:
        items = dict.fromkeys(quasi_identifiers)
    missing = [c for c in items if c not in data.columns]
    if missing:
        raise KeyError(f"quasi-identifiers not in the data: {missing}")
    if not items:
        raise ValueError("at least one quasi-identifier is needed")
    return {c: h if h is not None else SuppressionHierarchy() for c, h in items.items()}


def _hashable(value) -> str:
    """A grouping key for one cell: equal keys only for values that read the same when sent.

    The key is the value's JSON, so ``False``, ``"False"`` and ``0`` stay three
    values and a list keeps its order (a receiver sees ``["a", "b"]`` and
    ``["b", "a"]`` as different); every kind of missing value is one value.
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return "<missing>"
    if isinstance(value, float) and np.isnan(value):
        return "<missing>"
    if isinstance(value, tuple | set | frozenset):
        value = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    return json.dumps(value, sort_keys=True, default=str)


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a column (equal values, equal codes)."""
    return pd.factorize(values.astype(object).map(_hashable))[0].astype(np.int64)


def _sizes_from_codes(codes: list[np.ndarray]) -> np.ndarray:
    if not codes or len(codes[0]) == 0:
        return np.zeros(0, dtype=np.int64)
    _, inverse, counts = np.unique(
        np.stack(codes, axis=1), axis=0, return_inverse=True, return_counts=True
    )
    return counts[inverse.ravel()]


def _sizes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Size of each record's group (records with equal values in ``columns``)."""
    return _sizes_from_codes([_codes(frame[c]) for c in columns])


def k_anonymise(
    data: pd.DataFrame,
    quasi_identifiers: Mapping[str, Hierarchy | None] | Sequence[str],
    *,
    k: int = 11,
    max_suppression: float = 0.05,
    suppression: str = "records",
    l_diversity: int | None = None,
    sensitive: Sequence[str] = (),
    l_kind: str = "distinct",
    benign: Mapping[str, Sequence] | None = None,
) -> AnonymisationResult:
    """Release ``data`` so that every quasi-identifier group has at least ``k`` records.

    Parameters
    ----------
    data
        One row per person.
    quasi_identifiers
        Columns that could identify someone in combination (age, sex,
        nationality, dates, places), each with its :class:`Hierarchy`; a plain
        list means suppression-only hierarchies. Other columns are released
        unchanged.
    k
        Minimum group size; 11 is what the CTDC uses.
    max_suppression
        Largest share of records that may be suppressed rather than
        generalising further.
    suppression
        ``"records"`` drops the records left in small groups; ``"cells"``
        keeps them with every quasi-identifier set to ``"*"`` (if even that
        group is smaller than ``k`` its records are dropped too).
    l_diversity, sensitive, l_kind
        When ``l_diversity`` is given, the ``sensitive`` columns must also be
        ``l_kind`` l-diverse (:func:`check_l_diversity`) within every group of
        records equal in the *other* quasi-identifiers (what an attacker is
        assumed to know): records of a group that fails are withheld, and
        count against ``max_suppression`` like records in groups below ``k``.
        A sensitive column may itself be a quasi-identifier (then it is
        generalised with the others) or not. Needs ``suppression="records"``.
    benign
        Per sensitive column, values whose disclosure harms no one: a group
        holding only those (or missing or suppressed values) passes.

    Returns
    -------
    AnonymisationResult
        ``released`` frame (original column order, generalised values) and an
        :class:`AnonymisationReport`.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, not {k!r}")
    if not 0.0 <= max_suppression <= 1.0:
        raise ValueError(f"max_suppression must be in [0, 1], not {max_suppression}")
    if suppression not in SUPPRESSION_MODES:
        raise ValueError(f"suppression must be one of {SUPPRESSION_MODES}, not {suppression!r}")
    hierarchies = _hierarchies(data, quasi_identifiers)
    columns = list(hierarchies)
    sensitive = tuple(sensitive)
    if l_diversity is not None:
        if isinstance(l_diversity, bool) or not isinstance(l_diversity, int) or l_diversity < 1:
            raise ValueError(f"l_diversity must be a positive integer, not {l_diversity!r}")
        if not sensitive:
            raise ValueError("l_diversity needs at least one sensitive column")
        missing = [c for c in sensitive if c not in data.columns]
        if missing:
            raise KeyError(f"sensitive columns not in the data: {missing}")
        if suppression != "records":
            raise ValueError('l_diversity needs suppression="records"')
    known = [c for c in columns if c not in sensitive]
    from ._ldiv import benign_mask, l_diverse_mask  # _ldiv builds on this module

    n = len(data)
    ranges = [range(h.n_levels) for h in hierarchies.values()]
    n_nodes = int(np.prod([len(r) for r in ranges]))
    if n_nodes > _MAX_NODES:
        raise ValueError(f"{n_nodes} generalisation combinations is too many; use fewer levels")
    heights = np.array([h.n_levels - 1 for h in hierarchies.values()], dtype=float)
    cache: dict[tuple[str, int], pd.Series] = {}
    code_cache: dict[tuple[str, int], np.ndarray] = {}

    def column_at(col: str, level: int) -> pd.Series:
        key = (col, level)
        if key not in cache:
            cache[key] = hierarchies[col].generalise(data[col], level)
        return cache[key]

    def codes_at(col: str, level: int) -> np.ndarray:
        # each column is coded once per level, so a node costs one grouping of integers
        key = (col, level)
        if key not in code_cache:
            code_cache[key] = _codes(column_at(col, level))
        return code_cache[key]

    nodes = sorted(
        itertools.product(*ranges),
        key=lambda node: (float(np.mean(np.array(node) / heights)), node),
    )

    def withheld_at(node) -> tuple[np.ndarray, np.ndarray]:
        """Records in groups below k, and (if asked) records in groups not l-diverse."""
        level = dict(zip(columns, node, strict=True))
        sizes = _sizes_from_codes([codes_at(c, lvl) for c, lvl in level.items()])
        small = sizes < k
        if l_diversity is None:
            return small, np.zeros(n, dtype=bool)
        values = {c: column_at(c, level[c]) if c in level else data[c] for c in sensitive}
        failing, _ = l_diverse_mask(
            [codes_at(c, level[c]) for c in known],
            {c: codes_at(c, level[c]) if c in level else _codes(v) for c, v in values.items()},
            l=l_diversity,
            kind=l_kind,
            keep=~small,
            benign={c: benign_mask(v, (benign or {}).get(c, ())) for c, v in values.items()},
        )
        return small, failing

    allowed = int(np.floor(max_suppression * n))
    chosen, chosen_small, chosen_failing, evaluated = None, None, None, 0
    for node in nodes:
        evaluated += 1
        small, failing = withheld_at(node)
        if int((small | failing).sum()) <= allowed:
            chosen, chosen_small, chosen_failing = node, small, failing
            break
    within_budget = chosen is not None
    if chosen is None:  # the most general node: for k alone, one group of size n
        chosen = tuple(h.n_levels - 1 for h in hierarchies.values())
        chosen_small, chosen_failing = withheld_at(chosen)

    released = data.copy()
    for col, level in zip(columns, chosen, strict=True):
        released[col] = column_at(col, level)
    small = chosen_small | chosen_failing
    n_cells = 0
    if suppression == "cells" and small.any():
        released.loc[small, columns] = SUPPRESSED
        n_cells = int(small.sum()) * len(columns)
        sizes_after = _sizes(released[columns], columns)
        still_small = sizes_after < k
        released = released.loc[~still_small]
        n_cells -= int(still_small.sum()) * len(columns)
        n_dropped = int(still_small.sum())
    else:
        released = released.loc[~small]
        n_dropped = int(small.sum())
    group_sizes = (
        released[columns].astype(object).map(_hashable).value_counts()
        if len(released)
        else pd.Series(dtype=int)
    )
    n_suppressed = n_dropped + (n_cells // len(columns) if n_cells else 0)
    discernibility = float((group_sizes.astype(float) ** 2).sum()) + n_dropped * float(n)
    loss = float(np.mean(np.array(chosen) / heights))
    report = AnonymisationReport(
        k=k,
        quasi_identifiers=tuple(columns),
        levels={c: hierarchies[c].labels[lvl] for c, lvl in zip(columns, chosen, strict=True)},
        level_numbers=dict(zip(columns, (int(v) for v in chosen), strict=True)),
        n_input=n,
        n_released=len(released),
        n_suppressed_records=n_suppressed,
        n_suppressed_cells=n_cells,
        n_groups=len(group_sizes),
        smallest_group=int(group_sizes.min()) if len(group_sizes) else 0,
        information_loss=loss,
        discernibility=discernibility,
        nodes_evaluated=evaluated,
        group_sizes=group_sizes,
        l_diversity=l_diversity,
        sensitive=sensitive if l_diversity is not None else (),
        n_withheld_for_diversity=int((chosen_failing & ~chosen_small).sum()),
        within_budget=within_budget,
    )
    return AnonymisationResult(released, report)
