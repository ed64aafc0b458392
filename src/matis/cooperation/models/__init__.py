"""Cooperation records: detention notices, situation assessments, SOM/IMM decisions."""

from matis.cooperation.models.assessments import (
    Assessment,
    AssessmentAttachment,
    AssessmentStatus,
    ReceivedAssessment,
    ReceivedAttachment,
)
from matis.cooperation.models.decisions import (
    ActionStatus,
    ActionStatusReport,
    Decision,
    DecisionAction,
    Meeting,
    ReceivedAction,
    ReceivedDecision,
)
from matis.cooperation.models.detention import (
    AgeGroup,
    DetentionNotice,
    DetentionStatus,
    DetentionStatusEvent,
    Direction,
)

__all__ = [
    "ActionStatus",
    "ActionStatusReport",
    "AgeGroup",
    "Assessment",
    "AssessmentAttachment",
    "AssessmentStatus",
    "Decision",
    "DecisionAction",
    "DetentionNotice",
    "DetentionStatus",
    "DetentionStatusEvent",
    "Direction",
    "Meeting",
    "ReceivedAction",
    "ReceivedAssessment",
    "ReceivedAttachment",
    "ReceivedDecision",
]
