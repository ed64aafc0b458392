"""Monitoring of SPA III: periods, activity reports, budgets, indicators, national plans."""

from matis.monitoring.models.budget import BudgetEntry, BudgetKind, ExchangeRate
from matis.monitoring.models.indicators import (
    IndicatorActual,
    IndicatorBaseline,
    IndicatorTarget,
    PlanIndicator,
)
from matis.monitoring.models.npa import NationalPlan, NationalPlanBudget
from matis.monitoring.models.periods import ReportingPeriod
from matis.monitoring.models.reports import (
    ActivityReport,
    EvidenceFile,
    OutputKind,
    PartnerType,
    ProgressStatus,
    ReportOutput,
    ReportPartner,
    ReviewComment,
    Transition,
    Workflow,
)

__all__ = [
    "ActivityReport",
    "BudgetEntry",
    "BudgetKind",
    "EvidenceFile",
    "ExchangeRate",
    "IndicatorActual",
    "IndicatorBaseline",
    "IndicatorTarget",
    "NationalPlan",
    "NationalPlanBudget",
    "OutputKind",
    "PartnerType",
    "PlanIndicator",
    "ProgressStatus",
    "ReportOutput",
    "ReportPartner",
    "ReportingPeriod",
    "ReviewComment",
    "Transition",
    "Workflow",
]
