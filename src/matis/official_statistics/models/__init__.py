"""Official statistics: the data structure, observations, submissions, rules, imports.

A thin public module over the sub-domain modules, so callers import from
``matis.official_statistics.models`` only.
"""

from matis.official_statistics.models.adx import AdxCode
from matis.official_statistics.models.context import ContextSeries, ContextValue
from matis.official_statistics.models.imports import ImportJob
from matis.official_statistics.models.observations import (
    Observation,
    ObservationRevision,
    Submission,
)
from matis.official_statistics.models.rules import RuleViolation, ValidationRule
from matis.official_statistics.models.structure import (
    Code,
    CodeList,
    Dimension,
    IndicatorDimension,
    StatisticalIndicator,
    Unit,
)

__all__ = [
    "AdxCode",
    "Code",
    "CodeList",
    "ContextSeries",
    "ContextValue",
    "Dimension",
    "ImportJob",
    "IndicatorDimension",
    "Observation",
    "ObservationRevision",
    "RuleViolation",
    "StatisticalIndicator",
    "Submission",
    "Unit",
    "ValidationRule",
]
