"""An import run from the web: its file, its progress (polled by the page) and its outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country


class ImportFormat(models.TextChoices):
    GLOTIP = "glotip", _("UNODC GLOTIP export (CSV)")
    SDMX_CSV = "sdmx-csv", _("SDMX-CSV")
    CSV = "csv", _("MATIS CSV")
    XLSX = "xlsx", _("MATIS Excel template")


PHASE_LABELS = {
    "read": _("Reading and checking rows"),
    "compare": _("Comparing with the database"),
    "store": _("Writing"),
}


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Imported")
        REJECTED = "rejected", _("Rejected: nothing was written")
        FAILED = "failed", _("Failed: nothing was written")

    FINISHED = frozenset({Status.SUCCEEDED, Status.REJECTED, Status.FAILED})

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
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=ImportFormat.choices)
    filename = models.CharField(_("file name"), max_length=255)
    stored_file = models.CharField(max_length=255, blank=True)
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    phase = models.CharField(_("phase"), max_length=20, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
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
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def progress(self) -> float:
        """0..1 for ``includes/job_progress.html``."""
        if self.status == self.Status.SUCCEEDED:
            return 1.0
        if not self.total:
            return 0.0
        return min(1.0, self.done / self.total)

    @property
    def progress_message(self) -> str:
        if self.status == self.Status.QUEUED:
            return str(_("Waiting for the background worker to start."))
        label = PHASE_LABELS.get(self.phase)
        if label is None or self.is_finished:
            return self.get_status_display()
        if self.total and self.phase != "store":
            return str(
                _("%(phase)s: %(done)s of %(total)s rows")
                % {"phase": label, "done": f"{self.done:,}", "total": f"{self.total:,}"}
            )
        return str(label)
