"""Annual monitoring reports (SPA III goal 5.3): one rendered document per request."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.jobs import BackgroundJob
from matis.common.models import Country
from matis.plans.models import Plan


def report_file_path(instance: AnnualReport, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()
    scope = instance.country_id or "regional"
    return f"reports/annual/{instance.year}/{scope}/{uuid.uuid4().hex}.{suffix}"


class AnnualReport(BackgroundJob):
    """A rendering of the annual monitoring report for a year, regional or for one country.

    Rendering runs as a background job (:class:`~matis.common.jobs.BackgroundJob`):
    its status and progress let the page that requested it follow it. The HTML
    and PDF files are stored outside the web root and served only through views
    that check access.
    """

    PHASE_LABELS = {
        "collect": _("Collecting approved reports"),
        "write": _("Writing the document"),
        "layout": _("Laying out the PDF"),
        "store": _("Storing the files"),
    }

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the regional report of all six governments."),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=300, blank=True)
    html_file = models.FileField(upload_to=report_file_path, max_length=200, blank=True)
    pdf_file = models.FileField(upload_to=report_file_path, max_length=200, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    synthetic = models.BooleanField(_("contains synthetic demonstration data"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-requested_at", "-id"]
        verbose_name = _("annual monitoring report")
        verbose_name_plural = _("annual monitoring reports")

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title the requester gave, or one made of year, scope and language, in the
        reader's language, the report's language by its own name:
        "Annual monitoring report 2013 — Region — ไทย"."""
        if self.title:
            return self.title
        from matis.common.calendars import display_year
        from matis.common.l10n import language_name

        return _("Annual monitoring report %(year)s — %(scope)s — %(language)s") % {
            "year": display_year(self.year),
            "scope": self.scope_label,
            "language": language_name(self.language, self.language),
        }

    def audit_label(self) -> str:
        """How the audit log names the report: year, scope and language, no person."""
        from matis.common.calendars import display_year

        return f"{display_year(self.year)} · {self.scope_label} · {self.language}"

    @property
    def scope_label(self) -> str:
        return self.country.display_name if self.country_id else str(_("Region"))

    @property
    def is_regional(self) -> bool:
        return self.country_id is None
