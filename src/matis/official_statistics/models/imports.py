"""An import run from the web: its file, its progress (polled by the page) and its outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matis.common.jobs import BackgroundJob, JobStatus
from matis.common.models import Country


class ImportFormat(models.TextChoices):
    GLOTIP = "glotip", _("UNODC GLOTIP export (CSV)")
    SDMX_CSV = "sdmx-csv", _("SDMX-CSV")
    CSV = "csv", _("MATIS CSV")
    XLSX = "xlsx", _("MATIS Excel template")
    ADX = "adx", _("DHIS2 ADX (XML)")


PHASE_LABELS = {
    "read": _("Reading and checking rows"),
    "compare": _("Comparing with the database"),
    "store": _("Writing"),
}


class ImportJob(BackgroundJob):
    """A background import (:class:`~matis.common.jobs.BackgroundJob`): phases read, compare, store.

    Rejected: a row of the file is wrong (``errors``); failed: our error. Either
    way nothing was written.
    """

    PHASE_LABELS = PHASE_LABELS
    COUNTED_PHASES = frozenset({"read", "compare"})  # their done/total count rows

    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Rows of other countries are refused. Empty: any country."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    format = models.CharField(_("format"), max_length=10, choices=ImportFormat.choices)
    filename = models.CharField(_("file name"), max_length=255)
    stored_file = models.CharField(max_length=255, blank=True)
    dry_run = models.BooleanField(_("check only"), default=False)
    n_created = models.PositiveIntegerField(_("created"), default=0)
    n_updated = models.PositiveIntegerField(_("updated"), default=0)
    n_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    n_errors = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress_message(self) -> str:
        if self.status == JobStatus.RUNNING and self.total and self.phase in self.COUNTED_PHASES:
            return gettext("%(phase)s: %(done)s of %(total)s rows") % {
                "phase": self.phase_label(),
                "done": f"{self.done:,}",
                "total": f"{self.total:,}",
            }
        return super().progress_message
