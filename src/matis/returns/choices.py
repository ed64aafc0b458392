"""Value lists of the return and reintegration workflow (COMMIT extension of HTCDS)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    """Which government acts: the one sending the person home, or the one receiving her."""

    SENDING = "sending", _("Sending country (where the person was identified)")
    RECEIVING = "receiving", _("Receiving country (home country)")


class Step(models.TextChoices):
    REQUEST = "request", _("Request for return")
    TRACING = "tracing", _("Family tracing and risk assessment")
    NATIONALITY = "nationality", _("Nationality verification")
    TRAVEL_DOCUMENTS = "travel_documents", _("Travel documents")
    HANDOVER = "handover", _("Handover at the border")
    RECEPTION = "reception", _("Reception")


# The order of the steps and which government is responsible for each.
STEP_ORDER = (
    Step.REQUEST,
    Step.TRACING,
    Step.NATIONALITY,
    Step.TRAVEL_DOCUMENTS,
    Step.HANDOVER,
    Step.RECEPTION,
)
RESPONSIBLE_SIDE = {
    Step.REQUEST: Side.SENDING,
    Step.TRACING: Side.RECEIVING,
    Step.NATIONALITY: Side.RECEIVING,
    Step.TRAVEL_DOCUMENTS: Side.RECEIVING,
    Step.HANDOVER: Side.SENDING,
    Step.RECEPTION: Side.RECEIVING,
}
# The step whose completion is the day the person is back home (the swiftness measure).
RETURN_STEP = Step.HANDOVER


class Outcome(models.TextChoices):
    POSITIVE = "positive", _("Done: go on to the next step")
    NEGATIVE = "negative", _("Not possible now: the return is stopped")


class RepatriationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    STOPPED = "stopped", _("Stopped")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


# The statuses in which a return may still move on.
OPEN_STATUSES = (RepatriationStatus.IN_PROGRESS, RepatriationStatus.STOPPED)
# The statuses in which nothing more happens.
CLOSED_STATUSES = (
    RepatriationStatus.COMPLETED,
    RepatriationStatus.CANCELLED,
    RepatriationStatus.WITHDRAWN,
)


class ServiceKind(models.TextChoices):
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    EDUCATION = "education", _("Education and training")
    LIVELIHOOD = "livelihood", _("Livelihood")
    LEGAL = "legal", _("Legal assistance")
    HOUSING = "housing", _("Housing")


class ServiceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DELIVERED = "delivered", _("Delivered")
    DECLINED = "declined", _("Declined by the person")
    NOT_AVAILABLE = "not_available", _("Not available")


class PlanStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Reintegration goals met")
    DECLINED = "declined", _("The person wants no further support")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    MOVED = "moved", _("Moved to another area or country")
    RETRAFFICKED = "retrafficked", _("Trafficked again")
    DIED = "died", _("Died")
    OTHER = "other", _("Other reason")


class RetraffickingKind(models.TextChoices):
    RETRAFFICKED = "retrafficked", _("Trafficked again")
    OFFENDER = "offender", _("Found acting as a broker or trafficker")


class FeedbackStage(models.TextChoices):
    IDENTIFICATION = "identification", _("After identification and assistance")
    RETURN = "return", _("After return")
    REINTEGRATION = "reintegration", _("During or after reintegration")
