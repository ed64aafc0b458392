"""Releasing: the publisher's explicit act. Atomic, audited, never overwriting a version."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.publication.models import Release
from matis.publication.snapshot import build_statistics_snapshot

STATISTICS_DATASET = "tip-statistics"
CACHE_VERSION_KEY = "publication:version"


def _check(actor) -> None:
    if actor is not None and not has_perm(actor, "publication.release"):
        raise PermissionDenied(_("Only a publisher may release."))


def _next_version(dataset: str) -> int:
    top = Release.objects.select_for_update().filter(dataset=dataset).aggregate(m=Max("version"))
    return (top["m"] or 0) + 1


def bump_cache() -> None:
    """Public pages are cached per release state: a new release makes them stale."""
    try:
        cache.incr(CACHE_VERSION_KEY)
    except ValueError:
        cache.set(CACHE_VERSION_KEY, 2, None)


@transaction.atomic
def release_statistics(
    *,
    actor,
    publish_at: datetime | None = None,
    revision_note: str = "",
    dataset: str = STATISTICS_DATASET,
    title: str = "COMMIT official statistics on trafficking in persons",
) -> Release:
    """Freeze the approved statistics, protected, as the next version of ``dataset``.

    ``publish_at`` in the future embargoes the release until then; ``actor``
    None is the system (the demo loader, a command).
    """
    _check(actor)
    version = _next_version(dataset)
    if version > 1 and not revision_note.strip():
        raise ValidationError({"revision_note": _("A new version needs a revision note.")})
    release = Release.objects.create(
        kind=Release.Kind.STATISTICS,
        dataset=dataset,
        version=version,
        title=title,
        publish_at=publish_at or timezone.now(),
        revision_note=revision_note,
        released_by=actor,
        snapshot=build_statistics_snapshot(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=release,
        object_type="publication.release",
        dataset=dataset,
        version=version,
        publish_at=release.publish_at.isoformat(),
        observations=len(release.snapshot["observations"]),
        min_cell=release.snapshot["min_cell"],
    )
    transaction.on_commit(bump_cache)
    return release


@transaction.atomic
def release_report(
    *, actor, report, publish_at: datetime | None = None, revision_note: str = ""
) -> Release:
    """Put a published annual report (rendered) on the public site."""
    _check(actor)
    if report.published_at is None or not (report.pdf_file or report.html_file):
        raise ValidationError({"report": _("Only a rendered, published report can be released.")})
    dataset = f"annual-report-{report.country_id or 'region'}-{report.year}-{report.language}"
    dataset = dataset.lower().replace("_", "-")
    version = _next_version(dataset)
    release = Release.objects.create(
        kind=Release.Kind.REPORT,
        dataset=dataset,
        version=version,
        title=report.title or str(report),
        publish_at=publish_at or timezone.now(),
        revision_note=revision_note,
        released_by=actor,
        report=report,
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=release,
        object_type="publication.release",
        dataset=dataset,
        version=version,
        publish_at=release.publish_at.isoformat(),
    )
    transaction.on_commit(bump_cache)
    return release
