"""Programme registers, split by sub-domain."""

from matis.registers.models.agreements import (
    Agreement,
    AgreementInstrument,
    AgreementReview,
)
from matis.registers.models.assessments import SituationAssessment
from matis.registers.models.base import CountryRecord, Language, RegionalRecord, Sex
from matis.registers.models.meetings import FollowUpAction, Meeting, MeetingDecision
from matis.registers.models.prevention import (
    AwarenessCampaign,
    HotlineRecord,
    LabourInspection,
    NetworkReport,
    PrivateSectorPartnership,
    ProjectResult,
    SurveillanceNetwork,
    VulnerabilityProject,
)
from matis.registers.models.training import (
    Accreditation,
    Curriculum,
    EventParticipants,
    EventTrainer,
    Trainer,
    TrainerNotAccredited,
    TrainingActivity,
    TrainingEvent,
)
from matis.registers.models.units import SpecialistUnit, UnitYear

__all__ = [
    "Accreditation",
    "Agreement",
    "AgreementInstrument",
    "AgreementReview",
    "AwarenessCampaign",
    "CountryRecord",
    "Curriculum",
    "EventParticipants",
    "EventTrainer",
    "FollowUpAction",
    "HotlineRecord",
    "LabourInspection",
    "Language",
    "Meeting",
    "MeetingDecision",
    "NetworkReport",
    "PrivateSectorPartnership",
    "ProjectResult",
    "RegionalRecord",
    "Sex",
    "SituationAssessment",
    "SpecialistUnit",
    "SurveillanceNetwork",
    "Trainer",
    "TrainerNotAccredited",
    "TrainingActivity",
    "TrainingEvent",
    "UnitYear",
    "VulnerabilityProject",
]
