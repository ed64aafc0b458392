"""The regional hub's copy of a country's approved statistics: replace it with a received version.

Called by :mod:`matis.exchange.consolidate` when an approved submission
arrives at the hub. The hub keeps the region's figures in the same tables as
every instance (one :class:`Submission` per country and year), so the
dashboards, downloads and the API read received figures like any other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.official_statistics.models import Observation, ObservationRevision, Submission
from matis.official_statistics.models.observations import flags_text
from matis.official_statistics.services.imports import bulk_insert_observations


class SubmissionNotReplaceable(Exception):
    """The hub's copy is being edited here (draft or submitted): the received version waits."""

    def __init__(self, submission: Submission):
        self.submission = submission
        super().__init__(f"{submission.country_id} {submission.period} is {submission.status}")


@dataclass(frozen=True)
class ReplaceResult:
    submission: Submission
    created: int
    updated: int
    deleted: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
        }


def submission_replace_received(
    *,
    country_id: str,
    year: int,
    rows: list[tuple],
    approved_at: dt.datetime | None,
    reason: str,
    take_over: bool,
) -> ReplaceResult:
    """Make the hub's approved submission of ``country_id``/``year`` hold exactly ``rows``.

    Runs in the caller's transaction. Changed values keep their old value as an
    :class:`ObservationRevision` (with ``reason``), values no longer sent are
    deleted, new ones inserted; unchanged values are left alone, so applying
    the same version twice changes nothing. A submission being edited here
    (draft or submitted) is replaced only with ``take_over`` (a regional hub:
    the country's approved figures are authoritative); otherwise
    :class:`SubmissionNotReplaceable` is raised and nothing is written.
    """
    submission = (
        Submission.objects.select_for_update().filter(country_id=country_id, period=year).first()
    )
    if submission is None:
        submission = Submission.objects.create(
            country_id=country_id,
            period=year,
            status=Submission.Status.APPROVED,
            approved_at=approved_at,
            note=reason[:500],
        )
    elif not submission.is_approved and not take_over:
        raise SubmissionNotReplaceable(submission)
    existing = {
        (o.indicator_id, o.series_key): o for o in Observation.objects.filter(submission=submission)
    }
    now = timezone.now()
    new, revisions, updated = [], [], []
    seen = set()
    n_unchanged = 0
    for _line, ind, c, p, key, value, cens, missing, est, prov, src in rows:
        seen.add((ind, key))
        current = existing.get((ind, key))
        if current is None:
            new.append((ind, c, p, key, value, cens, missing, est, prov, src or "", submission.pk,
                        True, now if connection.vendor == "postgresql" else
                        connection.ops.adapt_datetimefield_value(now)))  # fmt: skip
            continue
        same = (
            current.value == value
            and current.censored_below == cens
            and current.is_missing == missing
            and current.is_estimated == est
            and current.is_provisional == prov
            and current.source == (src or "")
        )
        if same and current.approved:
            n_unchanged += 1
            continue
        if not same:
            revisions.append(
                ObservationRevision(
                    observation=current,
                    changed_at=now,
                    old_value=current.value,
                    old_censored_below=current.censored_below,
                    old_flags=current.flags,
                    old_source=current.source,
                    new_value=value,
                    new_censored_below=cens,
                    new_flags=flags_text(est, prov, missing),
                    reason=reason[:300],
                )
            )
        current.value, current.censored_below, current.is_missing = value, cens, missing
        current.is_estimated, current.is_provisional = est, prov
        current.source, current.approved, current.updated_at = src or "", True, now
        updated.append(current)
    gone = [o.pk for k, o in existing.items() if k not in seen]
    if gone:
        Observation.objects.filter(pk__in=gone).delete()
    if updated:
        Observation.objects.bulk_update(
            updated,
            [
                "value",
                "censored_below",
                "is_missing",
                "is_estimated",
                "is_provisional",
                "source",
                "approved",
                "updated_at",
            ],
            batch_size=2000,
        )
    ObservationRevision.objects.bulk_create(revisions, batch_size=2000)
    if new:
        bulk_insert_observations(new)
    changed_status = not submission.is_approved or submission.approved_at != approved_at
    if changed_status:
        old_status = submission.status
        submission.status = Submission.Status.APPROVED
        submission.approved_at = approved_at
        submission.save(update_fields=["status", "approved_at", "updated_at"])
        if old_status != Submission.Status.APPROVED:
            audit_record(
                actor=None,
                action=AuditAction.APPROVE,
                obj=submission,
                old_status=old_status,
                new_status=submission.status,
                reason=reason[:200],
            )
    result = ReplaceResult(submission, len(new), len(revisions), len(gone), n_unchanged)
    if new or updated or gone:
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=submission,
            reason=reason[:200],
            **result.as_dict(),
        )
    return result
