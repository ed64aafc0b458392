"""A return another national instance sends us (PRO3 across two instances).

When the sending country runs its own national instance, this instance never
sees the person's case: it gets an :class:`IncomingRepatriation` over the
relay (``matis.returns.relay``) holding only the minimum the home country
needs to verify nationality and identity and to receive the person
(:data:`IncomingRepatriation.PERSONAL_FIELDS`; ``docs/returns.md`` says why
each is needed). The record is keyed by the sender's ``uid``. Its steps are
those of both governments: ours recorded here, the sending government's as
they arrive (agency name only). A withdrawal of consent erases the personal
fields and leaves a non-personal stub (uid, reference, dates, status).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency
from matis.cases.htcds import Gender
from matis.cases.models import Case
from matis.cases.protection import EncryptedCharField, EncryptedDateField
from matis.common.models import Country, TimeStampedModel
from matis.common.workflow import Transitions
from matis.returns.choices import RepatriationStatus, Side
from matis.returns.models.repatriation import StepFlow, StepRecord


class IncomingRepatriation(StepFlow, Transitions, TimeStampedModel):
    # The fields about the person: erased when consent is withdrawn or the return cancelled.
    PERSONAL_FIELDS = ("given_name", "family_name", "date_of_birth", "age", "sex")

    uid = models.UUIDField(unique=True, editable=False)  # the sender's Repatriation.uid
    reference = models.CharField(_("Return number"), max_length=40)  # the sender's number
    sending_country = models.ForeignKey(
        Country, verbose_name=_("From"), on_delete=models.PROTECT, related_name="+"
    )
    receiving_country = models.ForeignKey(
        Country, verbose_name=_("To"), on_delete=models.PROTECT, related_name="+"
    )
    receiving_agency = models.ForeignKey(
        Agency,
        verbose_name=_("Receiving agency"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    requested_on = models.DateField(_("Requested on"))
    handover_expected_on = models.DateField(_("Handover expected on"), null=True, blank=True)
    returned_on = models.DateField(_("Returned on"), null=True, blank=True)
    completed_on = models.DateField(_("Received on"), null=True, blank=True)
    received_at = models.DateTimeField(_("Request arrived at"))
    withdrawn_on = models.DateField(_("Consent withdrawn on"), null=True, blank=True)
    status = models.CharField(
        _("Status"),
        max_length=12,
        choices=RepatriationStatus.choices,
        default=RepatriationStatus.IN_PROGRESS,
    )
    # The minimum about the person (encrypted at rest).
    # null (not "") once erased: an encrypted "" would still be a ciphertext in the table
    given_name = EncryptedCharField(
        _("Given name(s) as written"), max_length=200, null=True, blank=True
    )
    family_name = EncryptedCharField(
        _("Family name as written"), max_length=200, null=True, blank=True
    )
    date_of_birth = EncryptedDateField(_("Date of birth"), null=True, blank=True)
    age = models.PositiveSmallIntegerField(_("Age"), null=True, blank=True)
    sex = models.CharField(  # noqa: DJ001 - NULL, like the names, marks an erased value
        _("Sex"), max_length=24, choices=Gender.choices, null=True, blank=True
    )
    home_case = models.ForeignKey(
        Case,
        verbose_name=_("Case in the home country"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incoming_returns",
    )

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("Return we receive")
        verbose_name_plural = _("Returns we receive")
        indexes = [models.Index(fields=["receiving_country", "status"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def corridor(self) -> str:
        return f"{self.sending_country_id}→{self.receiving_country_id}"

    @property
    def erased(self) -> bool:
        return self.withdrawn_on is not None or self.status == RepatriationStatus.CANCELLED

    def country_of(self, side: str) -> str:
        return self.sending_country_id if side == Side.SENDING else self.receiving_country_id


class IncomingRepatriationStep(StepRecord):
    """One step of a return we receive: ours (agency, user) or the sender's (agency name)."""

    repatriation = models.ForeignKey(
        IncomingRepatriation, on_delete=models.CASCADE, related_name="steps"
    )

    class Meta(StepRecord.Meta):
        verbose_name = _("Step of a return we receive")
        verbose_name_plural = _("Steps of a return we receive")
