"""Return and reintegration records (split by sub-domain; import from here)."""

from matis.returns.models.incoming import IncomingRepatriation, IncomingRepatriationStep
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
    "IncomingRepatriation",
    "IncomingRepatriationStep",
    "PlannedService",
    "ReintegrationPlan",
    "Repatriation",
    "RepatriationStep",
    "RetraffickingEvent",
    "StepOutOfOrder",
    "WrongCountry",
]
