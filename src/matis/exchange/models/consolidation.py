"""Hub side: where each received report or statistics submission went (provenance).

The hub holds the region's figures in the same tables the dashboards read
(``official_statistics.Submission``/``Observation``, ``monitoring.ActivityReport``).
One :class:`Consolidation` per received item says which country sent it, with
which key, which submission or report of the sender it is, which version, and
what became of it: in use, replaced by a later version, older than the one in
use, held, or failed. Only one version of a submission or report is in use.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country
from matis.exchange.models.hub import InboxItem
from matis.exchange.models.national import ItemKind


class ConsolidationStatus(models.TextChoices):
    CURRENT = "current", _("In use")
    REPLACED = "replaced", _("Replaced by a later version")
    OUTDATED = "outdated", _("Older than the version in use (not applied)")
    HELD = "held", _("Held (the hub's copy is being edited)")
    FAILED = "failed", _("Could not be imported")


class Consolidation(models.Model):
    """One received item imported (or not) into the hub's own tables, with its provenance.

    ``reference`` names the sender's submission or report independently of its
    version: ``statistics/2024`` (a country has one statistics submission a
    year) or ``monitoring_report/PRO3/2024`` (one report per activity and
    year). ``version`` is the sender's approval time; a later version of the
    same reference replaces the one in use (``replaced_by``), an earlier one is
    kept as ``outdated`` and never applied.
    """

    inbox_item = models.OneToOneField(
        InboxItem,
        verbose_name=_("received item"),
        on_delete=models.PROTECT,
        related_name="consolidation",
    )
    country = models.ForeignKey(
        Country, verbose_name=_("sending country"), on_delete=models.PROTECT, related_name="+"
    )
    key_id = models.CharField(_("signed with key"), max_length=40)
    kind = models.CharField(_("kind"), max_length=24, choices=ItemKind.choices)
    reference = models.CharField(_("submission or report"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"))
    sender_object = models.CharField(_("record at the sender"), max_length=64, blank=True)
    version = models.CharField(_("version (approved at the sender)"), max_length=40)
    version_number = models.PositiveIntegerField(_("version"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ConsolidationStatus.choices)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.TextField(_("message"), blank=True)
    summary = models.JSONField(_("changes"), default=dict, blank=True)
    submission = models.ForeignKey(
        "statistics.Submission",
        verbose_name=_("submission"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    report = models.ForeignKey(
        "monitoring.ActivityReport",
        verbose_name=_("activity report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consolidated_at = models.DateTimeField(_("consolidated"), default=timezone.now)

    class Meta:
        ordering = ["country_id", "reference", "-version", "-id"]
        verbose_name = _("consolidated item")
        verbose_name_plural = _("consolidated items")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "reference"],
                condition=Q(status="current"),
                name="exchange_one_version_in_use",
            )
        ]
        indexes = [models.Index(fields=["kind", "year", "country"])]

    def __str__(self) -> str:
        return f"{self.country_id}:{self.reference}@{self.version}"

    @property
    def received_at(self):
        return self.inbox_item.received_at
