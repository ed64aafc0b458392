"""Analyses run on MATIS data with tipstats, stored with their parameters and provenance."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.jobs import BackgroundJob
from matis.common.models import Country, TimeStampedModel


class AnalysisKind(models.TextChoices):
    MSE = "mse", _("Prevalence: multiple systems estimation")
    RISK = "risk", _("Risk factors: case-control comparison")
    FLOWS = "flows", _("Routes: origin, transit, destination")
    NETWORK = "network", _("Offender network")
    ITS = "its", _("Effectiveness: interrupted time series")
    BEFORE_AFTER = "before_after", _("Effectiveness: before and after")


class Dataset(TimeStampedModel):
    """A table an analyst uploaded for research (CSV); the rows are kept as a file."""

    name = models.CharField(_("name"), max_length=200)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: a regional data set of the secretariat."),
    )
    file = models.FileField(_("file"), upload_to="analytics/datasets/")
    sha256 = models.CharField(max_length=64)
    n_rows = models.PositiveIntegerField(_("rows"))
    columns = models.JSONField(_("columns"), default=list)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("data set")

    def __str__(self) -> str:
        return self.name


class Analysis(BackgroundJob, TimeStampedModel):
    """One run of a method on one data source; results are kept with what produced them.

    The run is a background job (:class:`~matis.common.jobs.BackgroundJob`); its
    phase is the method's own description of the step (``runners.py``) and its
    progress a percentage (``total=100``).
    """

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("method"), max_length=20, choices=AnalysisKind.choices)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: a regional analysis of the secretariat."),
    )
    source = models.CharField(_("data source"), max_length=120)
    parameters = models.JSONField(_("parameters"), default=dict)
    result = models.JSONField(_("result"), default=dict, blank=True)
    tables = models.JSONField(_("result tables"), default=list, blank=True)
    chart = models.JSONField(_("chart"), default=dict, blank=True)
    provenance = models.JSONField(_("provenance"), default=dict, blank=True)
    published = models.BooleanField(_("published"), default=False)
    published_tables = models.JSONField(_("published tables"), default=list, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("analysis")
        verbose_name_plural = _("analyses")

    def __str__(self) -> str:
        return self.title
