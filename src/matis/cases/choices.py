"""Value lists beyond HTCDS 2.0: forced criminality, consent, placements, COMMIT fields.

The HTCDS lists themselves are in :mod:`matis.cases.htcds` (generated from the
standard). Values here are the COMMIT extension; the HTCDS-shaped export puts
them under ``commit_`` keys.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Exploitation outside the HTCDS list (scam compounds and other forced crime).
FORCED_CRIMINALITY = "ForcedCriminality"


class ExploitationExtension(models.TextChoices):
    FORCED_CRIMINALITY = FORCED_CRIMINALITY, _("Forced criminality (e.g. scam compounds)")


class ForcedCriminalityActivity(models.TextChoices):
    ONLINE_FRAUD = "OnlineFraud", _("Online fraud")
    ROMANCE_SCAM = "RomanceScam", _("Romance scam")
    INVESTMENT_SCAM = "InvestmentScam", _("Investment or crypto scam")
    ILLEGAL_GAMBLING = "IllegalGambling", _("Illegal online gambling")
    MONEY_LAUNDERING = "MoneyLaundering", _("Money laundering")
    DRUG_PRODUCTION = "DrugProduction", _("Drug production or trafficking")
    OTHER = "Other", _("Other crime")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    HOUSEHOLD_REGISTRATION = "household_registration", _("Household registration")
    BORDER_PASS = "border_pass", _("Border pass")
    WORK_PERMIT = "work_permit", _("Migrant worker card or work permit")
    OTHER = "other", _("Other document")


class AgeBasis(models.TextChoices):
    DATE_OF_BIRTH = "dob", _("Date of birth known")
    ESTIMATED = "estimated", _("Age estimated")
    UNKNOWN = "unknown", _("Age unknown")


class ConsentPurpose(models.TextChoices):
    SERVICES = "services", _("Services")
    REFERRAL = "referral", _("Referral to a named organisation")
    CROSS_BORDER = "cross_border", _("Sharing with another country")
    LAW_ENFORCEMENT = "law_enforcement", _("Sharing with law enforcement")
    STATISTICS = "statistics", _("Statistics and research")


class ConsentGivenBy(models.TextChoices):
    PERSON = "person", _("The person")
    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Appointed guardian")


class PlacementKind(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    ALTERNATIVE_CARE = "alternative_care", _("Alternative care")
    IMMIGRATION_DETENTION = "immigration_detention", _("Immigration detention")
    POLICE_CUSTODY = "police_custody", _("Police custody")
    OTHER = "other", _("Other place")


DETENTION_KINDS = frozenset({PlacementKind.IMMIGRATION_DETENTION, PlacementKind.POLICE_CUSTODY})


class AlertKind(models.TextChoices):
    DETENTION = "detention", _("Victim held in detention")
    INVOLUNTARY_SHELTER = "involuntary_shelter", _("Victim in a shelter against her or his will")
    BREAK_GLASS = "break_glass", _("Emergency access to a case")


class Recommendation(models.TextChoices):
    STRONG = "strong", _("Strong indicators: refer for formal identification now")
    POSSIBLE = "possible", _("Some indicators: treat as a possible victim and assess further")
    FEW = "few", _("Few indicators: no identification indicated by this screening")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")
    COMPLETED = "completed", _("Completed")


class Language(models.TextChoices):
    """Languages victims are informed in (ISO 639-1, or 639-3 where there is no 639-1 code)."""

    TH = "th", _("Thai")
    KM = "km", _("Khmer")
    LO = "lo", _("Lao")
    MY = "my", _("Burmese")
    ZH = "zh", _("Chinese")
    VI = "vi", _("Vietnamese")
    EN = "en", _("English")
    SHN = "shn", _("Shan")
    KSW = "ksw", _("S'gaw Karen")
    MNW = "mnw", _("Mon")
    HMN = "hmn", _("Hmong")
    RHG = "rhg", _("Rohingya")
    OTHER = "other", _("Other language")


# --- the full HTCDS record: lists beyond HTCDS 2.0 (CTDC and COMMIT extensions) ----------


class RecruiterRelation(models.TextChoices):
    """Who recruited the person, as CTDC records it (finer than HTCDS's three values)."""

    FAMILY = "Family", _("Family member")
    INTIMATE_PARTNER = "IntimatePartner", _("Intimate partner")
    FRIEND = "Friend", _("Friend")
    ACQUAINTANCE = "Acquaintance", _("Acquaintance")
    STRANGER = "Stranger", _("Stranger")
    OTHER = "Other", _("Other relation")


class ControlExtension(models.TextChoices):
    """Means of control that CTDC records and HTCDS 2.0 does not list."""

    RESTRICTS_MOVEMENT = "RestrictsMovement", _("Restricts movement")
    USES_CHILDREN = "UsesChildren", _("Uses the person's children")


class LabourType(models.TextChoices):
    """CTDC's types of forced labour (more than one may apply)."""

    AGRICULTURE = "Agriculture", _("Agriculture")
    AQUAFARMING = "Aquafarming", _("Fishing and aquafarming")
    BEGGING = "Begging", _("Begging")
    CONSTRUCTION = "Construction", _("Construction")
    DOMESTIC_WORK = "DomesticWork", _("Domestic work")
    HOSPITALITY = "Hospitality", _("Hospitality")
    ILLICIT_ACTIVITIES = "IllicitActivities", _("Illicit activities")
    MANUFACTURING = "Manufacturing", _("Manufacturing")
    MINING_OR_DRILLING = "MiningOrDrilling", _("Mining or drilling")
    PEDDLING = "Peddling", _("Street selling")
    TRANSPORTATION = "Transportation", _("Transportation")
    OTHER = "Other", _("Other work")


class TravelDocument(models.TextChoices):
    """The documents the person travelled with."""

    OWN_VALID = "OwnValid", _("Own valid documents")
    FRAUDULENT = "Fraudulent", _("Forged or fraudulently obtained documents")
    OTHER_PERSONS = "OtherPersons", _("Another person's documents")
    NONE = "None", _("No documents (irregular crossing)")
    NOT_APPLICABLE = "NotApplicable", _("Did not cross a border")
