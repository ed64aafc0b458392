"""Writes to case records: keyword-only, atomic, audited."""

from matis.cases.services.cases import (
    case_register,
    case_secure_delete,
    case_status_change,
    document_add,
    identification_decide,
    person_update,
    reindex_person,
    screening_record,
)
from matis.cases.services.consent import (
    ConsentRequired,
    consent_allows,
    consent_record,
    consent_status,
    require_consent,
)
from matis.cases.services.intake import case_intake
from matis.cases.services.placements import (
    alert_resolve,
    facility_create,
    placement_add,
    placement_end,
)
from matis.cases.services.protection import (
    break_glass_open,
    keys_rotate,
    purge_expired,
    stale_value_count,
)
from matis.cases.services.record import (
    cases_import,
    htcds_record_update,
)
from matis.cases.services.referrals import (
    case_share,
    case_transfer,
    provider_create,
    referral_answer,
    referral_create,
    service_record,
)

__all__ = [
    "ConsentRequired",
    "alert_resolve",
    "break_glass_open",
    "case_intake",
    "case_register",
    "case_secure_delete",
    "case_share",
    "case_status_change",
    "case_transfer",
    "cases_import",
    "consent_allows",
    "consent_record",
    "consent_status",
    "document_add",
    "facility_create",
    "htcds_record_update",
    "identification_decide",
    "keys_rotate",
    "person_update",
    "placement_add",
    "placement_end",
    "provider_create",
    "purge_expired",
    "referral_answer",
    "referral_create",
    "reindex_person",
    "require_consent",
    "screening_record",
    "service_record",
    "stale_value_count",
]
