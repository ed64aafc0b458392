"""Case records (split by sub-domain; import from here)."""

from matis.cases.models.access import BreakGlassGrant
from matis.cases.models.cases import (
    IDENTIFIED,
    Case,
    IdentificationDecision,
    Screening,
)
from matis.cases.models.consent import ConsentEvent
from matis.cases.models.people import CHILD_AGE, IdentityDocument, Person, PersonSearchToken
from matis.cases.models.placements import Alert, Facility, Placement
from matis.cases.models.record import HtcdsRecord
from matis.cases.models.referrals import Referral, ServiceDelivery, ServiceProvider, ShareRecord

__all__ = [
    "CHILD_AGE",
    "IDENTIFIED",
    "Alert",
    "BreakGlassGrant",
    "Case",
    "ConsentEvent",
    "Facility",
    "HtcdsRecord",
    "IdentificationDecision",
    "IdentityDocument",
    "Person",
    "PersonSearchToken",
    "Placement",
    "Referral",
    "Screening",
    "ServiceDelivery",
    "ServiceProvider",
    "ShareRecord",
]
