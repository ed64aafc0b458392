"""Official statistics: the data structure, observations, submissions, rules, imports.

A thin public module over the sub-domain modules, so callers import from
``matis.statistics.models`` only.
"""

from matis.statistics.models.context import ContextSeries, ContextValue
from matis.statistics.models.imports import ImportJob
from matis.statistics.models.observations import (
    Observation,
    ObservationRevision,
    Submission,
    SubmissionTransitionError,
)
from matis.statistics.models.rules import RuleViolation, ValidationRule
from matis.statistics.models.structure import (
    Code,
    CodeList,
    Dimension,
    Indicator,
    IndicatorDimension,
    Unit,
)

__all__ = [
    "Code",
    "CodeList",
    "ContextSeries",
    "ContextValue",
    "Dimension",
    "ImportJob",
    "Indicator",
    "IndicatorDimension",
    "Observation",
    "ObservationRevision",
    "RuleViolation",
    "Submission",
    "SubmissionTransitionError",
    "Unit",
    "ValidationRule",
]
