"""Releases: what MATIS has published, as frozen snapshots.

A release is an explicit act of a publisher (``publication.release``). It
stores the already-protected table (disclosure control applied when the
release is made), so the public pages and the SDMX API read only from
releases, never from the working tables: a figure approved after the release,
or released with a future date (embargo), cannot appear through a filter bug.
Versions are never overwritten: ``/public/statistics/<dataset>/v<N>/`` stays.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReleaseQuerySet(models.QuerySet):
    def published(self, now=None):
        """Releases whose publication date has come (the embargo is over)."""
        return self.filter(publish_at__lte=now or timezone.now())


class Release(models.Model):
    class Kind(models.TextChoices):
        STATISTICS = "statistics", _("Official statistics")
        REPORT = "report", _("Annual report")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    dataset = models.SlugField(_("dataset"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    publish_at = models.DateTimeField(
        _("publication date"), help_text=_("Embargoed until this moment.")
    )
    revision_note = models.TextField(_("revision note"), blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(_("released"), default=timezone.now)
    report = models.ForeignKey(
        "reports.AnnualReport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["dataset", "-version"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "version"], name="publication_release_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.publish_at <= timezone.now()
