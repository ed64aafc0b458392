"""Data sources an analysis can read: reference sets, uploaded data sets, and app providers.

Apps with data (case records, official statistics) register a provider with
:func:`register_source`; every provider returns a plain data frame for one
user, so scope and consent are applied where the data lives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd
from django.utils.translation import gettext_lazy as _

from matis.analytics.models import AnalysisKind


class SourceError(ValueError):
    """The data source cannot be read or does not fit the method."""


@dataclass(frozen=True)
class DataSource:
    key: str
    label: str
    kinds: frozenset[str]
    loader: Callable[..., pd.DataFrame]
    description: str = ""
    citation: str = ""
    defaults: dict = field(default_factory=dict)

    def load(self, user) -> pd.DataFrame:
        return self.loader(user)


_SOURCES: dict[str, DataSource] = {}


def register_source(source: DataSource) -> None:
    _SOURCES[source.key] = source


def available_sources(user, kind: str | None = None) -> list[DataSource]:
    """Registered sources (not uploads) usable for ``kind``."""
    return [s for s in _SOURCES.values() if kind is None or kind in s.kinds]


def get_source(key: str) -> DataSource:
    try:
        return _SOURCES[key]
    except KeyError:
        raise SourceError(f"unknown data source {key!r}") from None


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of the frame's CSV form: the provenance of what an analysis read."""
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


def _reference_loader(filename: str) -> Callable:
    def load(user) -> pd.DataFrame:
        path = resources.files("matis.analytics") / "data" / filename
        with path.open("rb") as fh:
            return pd.read_csv(fh)

    return load


REFERENCE_CITATION_UK = (
    "Bales, Hesketh & Silverman (2015), Significance 12(3); data: R package SparseMSE 2.0.1"
)
REFERENCE_CITATION_NO = (
    "Chan, Silverman & Vincent (2021), JASA 116:1297; data: R package SparseMSE 2.0.1"
)


def register_builtin_sources() -> None:
    mse = frozenset({AnalysisKind.MSE})
    register_source(
        DataSource(
            key="reference:uk2013-5",
            label=_("Reference: UK 2013, five lists"),
            kinds=mse,
            loader=_reference_loader("uk2013_5lists.csv"),
            citation=REFERENCE_CITATION_UK,
            description=_("Potential victims known to five kinds of organisation (UK, 2013)."),
            defaults={"method": "aic_stepwise", "interval": "profile"},
        )
    )
    register_source(
        DataSource(
            key="reference:uk2013-6",
            label=_("Reference: UK 2013, six lists"),
            kinds=mse,
            loader=_reference_loader("uk2013_6lists.csv"),
            citation=REFERENCE_CITATION_UK,
            description=_(
                "The same victims with police forces and the National Crime Agency apart."
            ),
        )
    )
    register_source(
        DataSource(
            key="reference:new-orleans",
            label=_("Reference: New Orleans, eight lists"),
            kinds=mse,
            loader=_reference_loader("new_orleans.csv"),
            citation=REFERENCE_CITATION_NO,
            description=_("Victims of trafficking known to eight organisations in New Orleans."),
            defaults={"method": "sparse_stepwise", "interval": "bca"},
        )
    )
