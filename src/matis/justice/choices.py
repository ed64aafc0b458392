"""Value lists of the justice records. Perpetrator roles are the HTCDS 2.0 list."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PerpetratorRole(models.TextChoices):
    """HTCDS ``per_RoleInProcess`` (a test keeps it equal to the bundled standard)."""

    TRAVELLING_PARTNER = "TravellingPartner", pgettext_lazy("htcds", "Travelling Partner")
    TRANSPORTER = "Transporter", pgettext_lazy("htcds", "Transporter")
    RECRUITER_OR_INTERMEDIARY = (
        "RecruiterOrIntermediary",
        pgettext_lazy("htcds", "Recruiter Or Intermediary"),
    )
    BROKER_TRAVEL_AGENT = "BrokerTravelAgent", pgettext_lazy("htcds", "Broker Travel Agent")
    TRANSFERRED_INDIVIDUAL = (
        "TransferredIndividual",
        pgettext_lazy("htcds", "Transferred Individual"),
    )
    HARBOURED_INDIVIDUAL = "HarbouredIndividual", pgettext_lazy("htcds", "Harboured Individual")
    SOLD_INDIVIDUAL = "SoldIndividual", pgettext_lazy("htcds", "Sold Individual")
    BOUGHT_INDIVIDUAL = "BoughtIndividual", pgettext_lazy("htcds", "Bought Individual")
    RECEIVED_INDIVIDUAL = "ReceivedIndividual", pgettext_lazy("htcds", "Received Individual")
    CONTROLLED_INDIVIDUAL = (
        "ControlledIndividual",
        pgettext_lazy("htcds", "Controlled Individual"),
    )
    SMUGGLER = "Smuggler", pgettext_lazy("htcds", "Smuggler")
    ABUSER = "Abuser", pgettext_lazy("htcds", "Abuser")
    KIDNAPPER = "Kidnapper", pgettext_lazy("htcds", "Kidnapper")
    EXPLOITER = "Exploiter", pgettext_lazy("htcds", "Exploiter")
    OTHER = "Other", pgettext_lazy("htcds", "Other")


class Stage(models.TextChoices):
    INVESTIGATION = "investigation", _("Investigation")
    PROSECUTION = "prosecution", _("Prosecution")
    TRIAL = "trial", _("Trial")
    VERDICT = "verdict", _("Verdict")
    APPEAL = "appeal", _("Appeal")
    CLOSED = "closed", _("Closed")


class Law(models.TextChoices):
    TRAFFICKING = "trafficking", _("Trafficking in persons law")
    LABOUR = "labour", _("Labour law")
    MIGRATION = "migration", _("Immigration law")
    MONEY_LAUNDERING = "money_laundering", _("Money-laundering law")
    OTHER = "other", _("Other criminal law")


class VerdictOutcome(models.TextChoices):
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    DISMISSED = "dismissed", _("Dismissed or withdrawn")


class Instance(models.TextChoices):
    FIRST = "first", _("First instance")
    APPEAL = "appeal", _("Appeal")


class WitnessRole(models.TextChoices):
    WITNESS = "witness", _("Witness")
    COMPLAINANT = "complainant", _("Complainant and witness")
    CIVIL_PARTY = "civil_party", _("Civil party")


class ProtectionMeasure(models.TextChoices):
    SHELTER = "shelter", _("Safe shelter")
    IDENTITY = "identity", _("Identity withheld from the public")
    VIDEO = "video", _("Testimony by video link or recorded in advance")
    CLOSED_HEARING = "closed_hearing", _("Closed hearing")
    SEPARATE_WAITING = "separate_waiting", _("Kept apart from the defendants")
    POLICE = "police", _("Police protection")
    SUPPORT_PERSON = "support_person", _("Accompanied by a social worker or lawyer")
    CHILD_FRIENDLY = "child_friendly", _("Child-friendly interview room")
    INTERPRETER = "interpreter", _("Interpreter")


class ClaimKind(models.TextChoices):
    CRIMINAL = "criminal", _("Compensation in the criminal case")
    CIVIL = "civil", _("Civil claim")
    LABOUR = "labour", _("Labour claim (unpaid wages)")


class Currency(models.TextChoices):
    """ISO 4217 codes of the COMMIT countries' currencies, and the US dollar."""

    THB = "THB", _("Thai baht")
    KHR = "KHR", _("Cambodian riel")
    LAK = "LAK", _("Lao kip")
    MMK = "MMK", _("Myanmar kyat")
    CNY = "CNY", _("Chinese yuan")
    VND = "VND", _("Vietnamese dong")
    USD = "USD", _("US dollar")


CURRENCY_OF = {"THA": "THB", "KHM": "KHR", "LAO": "LAK", "MMR": "MMK", "CHN": "CNY", "VNM": "VND"}


class MonitoringConcern(models.TextChoices):
    NO_SUPPORT = "no_support", _("Victim without support person or lawyer")
    NO_INTERPRETER = "no_interpreter", _("No interpreter")
    FACED_DEFENDANT = "faced_defendant", _("Victim faced the defendant")
    POSTPONED = "postponed", _("Hearing postponed")
    CHARGE_REDUCED = "charge_reduced", _("Charge reduced to a lesser offence")
    OTHER = "other", _("Other concern")
