"""Return and reintegration records (split by sub-domain; import from here)."""

from matis.returns.models.reintegration import (
    FeedbackSurvey,
    FollowUpVisit,
    PlannedService,
    ReintegrationPlan,
    RetraffickingEvent,
)
from matis.returns.models.repatriation import (
    Repatriation,
    RepatriationStep,
    StepOutOfOrder,
    WrongCountry,
)

__all__ = [
    "FeedbackSurvey",
    "FollowUpVisit",
    "PlannedService",
    "ReintegrationPlan",
    "Repatriation",
    "RepatriationStep",
    "RetraffickingEvent",
    "StepOutOfOrder",
    "WrongCountry",
]
