"""l-diversity: does a group of look-alikes still hide each one's sensitive value?

k-anonymity stops a record being singled out by what an attacker knows about a
person (sex, age, citizenship, year, place). It does not stop the attacker
learning something *about* the person: if every record in the person's group
has the same form of exploitation, finding the group discloses it (the
*homogeneity attack* of Machanavajjhala, Kifer, Gehrke and Venkitasubramaniam,
"l-Diversity: Privacy Beyond k-Anonymity", ACM TKDD 1(1), 2007, section 3.1).

A group (records with equal values of the ``known`` attributes) is

- *distinct l-diverse* in a sensitive attribute when it holds at least ``l``
  different values of it (the paper's section 4.1, "distinct l-diversity");
- *entropy l-diverse* when the entropy of the attribute's values in the group is
  at least ``log(l)`` (the paper's definition 4.1), which also rules out one
  value dominating a group with a few rare others.

Each sensitive attribute is checked on its own: a group with two forms of
exploitation but one value of another sensitive attribute still discloses the
latter. Values are compared as :func:`check_k_anonymity` compares them (their
JSON), and a missing value is a value of its own.

A group whose every value of an attribute is *benign* passes whatever its
diversity: learning that a value was not recorded, was suppressed (``"*"``), or
is one the caller names as harmless ("no forced criminality") discloses nothing
to protect. Missing and suppressed values are always benign.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._check import _frame
from ._hierarchy import SUPPRESSED
from ._kanon import _codes, _hashable

_ALWAYS_BENIGN = frozenset({_hashable(None), _hashable(SUPPRESSED), "<absent>"})


def _benign_keys(keys: pd.Series, benign: Iterable = ()) -> np.ndarray:
    return keys.isin(_ALWAYS_BENIGN | {_hashable(v) for v in benign}).to_numpy()


def benign_mask(values: pd.Series, benign: Iterable = ()) -> np.ndarray:
    """True where a value is missing, suppressed or among ``benign`` (compared as sent)."""
    return _benign_keys(values.astype(object).map(_hashable), benign)


__all__ = [
    "L_DIVERSITY_KINDS",
    "LDiversityCheck",
    "NotLDiverse",
    "benign_mask",
    "check_l_diversity",
    "l_diverse_mask",
    "require_l_diverse",
]

L_DIVERSITY_KINDS = ("distinct", "entropy")


def _group_ids(codes: list[np.ndarray], n: int) -> np.ndarray:
    if not codes:
        return np.zeros(n, dtype=np.int64)
    _, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
    return inverse.ravel().astype(np.int64)


def _group_diversity(groups: np.ndarray, values: np.ndarray, kind: str) -> np.ndarray:
    """Per group: the number of distinct values, or exp(entropy) of the value shares."""
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    pairs, pair_counts = np.unique(np.stack([groups, values], axis=1), axis=0, return_counts=True)
    if kind == "distinct":
        return np.bincount(pairs[:, 0], minlength=n_groups).astype(float)
    sizes = np.bincount(groups, minlength=n_groups).astype(float)
    shares = pair_counts / sizes[pairs[:, 0]]
    entropy = np.bincount(pairs[:, 0], weights=-shares * np.log(shares), minlength=n_groups)
    return np.exp(entropy)


def l_diverse_mask(
    known_codes: list[np.ndarray],
    sensitive_codes: Mapping[str, np.ndarray],
    *,
    l: int,  # noqa: E741 - the paper's name
    kind: str = "distinct",
    keep: np.ndarray | None = None,
    benign: Mapping[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, dict[str, int]]:
    """Which records sit in a group that is not l-diverse, and how many per attribute.

    ``known_codes`` are integer codes of the attributes an attacker knows,
    ``sensitive_codes`` those of each sensitive attribute; only records where
    ``keep`` is true are grouped (the others are already withheld);
    ``benign[name]`` marks the records whose value of ``name`` discloses
    nothing (a group holding only those passes). Returns a
    boolean mask over all records (true: in a failing group) and, per
    sensitive attribute, the number of records in groups failing on it.
    """
    n = len(next(iter(sensitive_codes.values()))) if sensitive_codes else 0
    keep = np.ones(n, dtype=bool) if keep is None else keep
    failing = np.zeros(n, dtype=bool)
    per_attribute: dict[str, int] = {}
    if not keep.any():
        return failing, dict.fromkeys(sensitive_codes, 0)
    index = np.flatnonzero(keep)
    groups = _group_ids([c[index] for c in known_codes], len(index))
    threshold = l if kind == "distinct" else l * (1 - 1e-9)  # exp(log l) up to rounding
    for name, codes in sensitive_codes.items():
        diversity = _group_diversity(groups, codes[index], kind)
        bad_group = diversity < threshold
        if benign is not None and name in benign:
            harmful = np.bincount(groups, weights=~benign[name][index], minlength=len(diversity))
            bad_group &= harmful > 0
        bad = bad_group[groups]
        per_attribute[name] = int(bad.sum())
        failing[index[bad]] = True
    return failing, per_attribute


@dataclass(frozen=True)
class LDiversityCheck:
    """The groups of a release over ``known``, measured for l-diversity in each sensitive attribute.

    ``n_failing`` counts records in groups that fail on at least one sensitive
    attribute; ``failing_by_attribute`` counts them per attribute;
    ``least_diverse`` is each attribute's smallest group diversity (distinct
    values, or exp(entropy) for ``kind="entropy"``).
    """

    l: int  # noqa: E741
    kind: str
    known: tuple[str, ...]
    sensitive: tuple[str, ...]
    n_records: int
    n_groups: int
    n_failing: int
    failing_by_attribute: dict[str, int]
    least_diverse: dict[str, float]

    @property
    def ok(self) -> bool:
        return self.n_failing == 0

    def reason(self) -> str:
        worst = ", ".join(
            f"{name}: {count} records (least diverse group {self.least_diverse[name]:.3g})"
            for name, count in self.failing_by_attribute.items()
            if count
        )
        return (
            f"{self.n_failing} of {self.n_records} records are in groups that are not "
            f"{self.kind} {self.l}-diverse over the known fields {', '.join(self.known)} — {worst}"
        )


class NotLDiverse(ValueError):
    """A release has a group whose sensitive values are too uniform; ``check`` says where."""

    def __init__(self, check: LDiversityCheck):
        self.check = check
        super().__init__(check.reason())


def check_l_diversity(
    records: pd.DataFrame | Iterable[Mapping],
    *,
    l: int,  # noqa: E741
    known: Sequence[str],
    sensitive: Sequence[str],
    kind: str = "distinct",
    benign: Mapping[str, Iterable] | None = None,
) -> LDiversityCheck:
    """Measure the l-diversity of ``records``: groups over ``known``, each ``sensitive`` attribute.

    ``records`` is a data frame or a list of dicts (as received in JSON); in a
    list, a field absent from a record is a value of its own. ``benign`` names,
    per sensitive attribute, values whose disclosure harms no one.

    >>> rows = [{"age": "<30", "disease": d} for d in ("flu", "flu", "flu")]
    >>> check_l_diversity(rows, l=2, known=["age"], sensitive=["disease"]).n_failing
    3
    """
    if isinstance(l, bool) or not isinstance(l, int) or l < 1:
        raise ValueError(f"l must be a positive integer, not {l!r}")
    if kind not in L_DIVERSITY_KINDS:
        raise ValueError(f"kind must be one of {L_DIVERSITY_KINDS}, not {kind!r}")
    if not sensitive:
        raise ValueError("at least one sensitive attribute is needed")
    overlap = set(known) & set(sensitive)
    if overlap:
        raise ValueError(f"an attribute cannot be both known and sensitive: {sorted(overlap)}")
    frame, _ = _frame(records, [*known, *sensitive])
    n = len(frame)
    known_codes = [_codes(frame[c]) for c in known]
    sensitive_codes = {c: _codes(frame[c]) for c in sensitive}
    # a list of records arrives as grouping keys already (see _frame); a frame as values
    as_keys = not isinstance(records, pd.DataFrame)
    benign_masks = {
        c: (_benign_keys if as_keys else benign_mask)(frame[c], (benign or {}).get(c, ()))
        for c in sensitive
    }
    failing, per_attribute = l_diverse_mask(
        known_codes, sensitive_codes, l=l, kind=kind, benign=benign_masks
    )
    least: dict[str, float] = {}
    groups = _group_ids(known_codes, n) if n else np.zeros(0, dtype=np.int64)
    for name, codes in sensitive_codes.items():
        least[name] = float(_group_diversity(groups, codes, kind).min()) if n else math.inf
    return LDiversityCheck(
        l=l,
        kind=kind,
        known=tuple(known),
        sensitive=tuple(sensitive),
        n_records=n,
        n_groups=int(groups.max()) + 1 if n else 0,
        n_failing=int(failing.sum()),
        failing_by_attribute=per_attribute if n else dict.fromkeys(sensitive, 0),
        least_diverse=least,
    )


def require_l_diverse(
    records: pd.DataFrame | Iterable[Mapping],
    *,
    l: int,  # noqa: E741
    known: Sequence[str],
    sensitive: Sequence[str],
    kind: str = "distinct",
    benign: Mapping[str, Iterable] | None = None,
) -> LDiversityCheck:
    """:func:`check_l_diversity`, raising :class:`NotLDiverse` when a group fails."""
    check = check_l_diversity(
        records, l=l, known=known, sensitive=sensitive, kind=kind, benign=benign
    )
    if not check.ok:
        raise NotLDiverse(check)
    return check
