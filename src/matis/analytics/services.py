"""Writes for analytics: upload a data set, create an analysis, run it (in a background job)."""

from __future__ import annotations

import hashlib
import io
import logging
import traceback

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.analytics.models import Analysis, Dataset
from matis.analytics.runners import RUNNERS, clean_parameters
from matis.analytics.sources import SourceError, frame_fingerprint, get_source
from matis.common.jobs import JobStatus

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_ROWS = 1_000_000


class DatasetError(ValueError):
    """An uploaded table cannot be used; the message names the line or column."""


def _require_analyst(actor: User) -> None:
    if not has_perm(actor, "analytics.run_analysis"):
        raise PermissionDenied("Your role does not run analyses.")


def read_csv_upload(raw: bytes) -> pd.DataFrame:
    """Parse an uploaded CSV strictly: UTF-8, a header, the same number of fields on every line."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise DatasetError(f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DatasetError(f"line {line}: the file is not UTF-8 text") from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype_backend="numpy_nullable")
    except pd.errors.ParserError as exc:
        raise DatasetError(str(exc)) from None
    except pd.errors.EmptyDataError:
        raise DatasetError("the file is empty") from None
    if frame.empty:
        raise DatasetError("the file has a header but no rows")
    unnamed = [c for c in frame.columns if str(c).startswith("Unnamed:")]
    if unnamed:
        raise DatasetError(
            f"column {frame.columns.get_loc(unnamed[0]) + 1} has no name in the header"
        )
    if len(frame) > MAX_UPLOAD_ROWS:
        raise DatasetError(f"the file has more than {MAX_UPLOAD_ROWS:,} rows")
    return frame


@transaction.atomic
def dataset_upload(*, actor: User, name: str, raw: bytes, description: str = "") -> Dataset:
    _require_analyst(actor)
    frame = read_csv_upload(raw)
    digest = hashlib.sha256(raw).hexdigest()
    dataset = Dataset(
        name=name,
        country_id=actor.country_id,
        sha256=digest,
        n_rows=len(frame),
        columns=[str(c) for c in frame.columns],
        description=description,
        created_by=actor,
    )
    dataset.file.save(f"{digest[:16]}.csv", ContentFile(raw), save=False)
    dataset.save()
    audit_record(actor=actor, action=AuditAction.FILE_UPLOAD, obj=dataset, n_rows=len(frame))
    return dataset


def load_source_frame(*, actor: User, source: str) -> tuple[pd.DataFrame, dict]:
    """The data behind ``source`` for ``actor``, with its provenance."""
    if source.startswith("dataset:"):
        from matis.access.scoping import scope_queryset

        try:
            dataset = scope_queryset(actor, Dataset.objects.all()).get(
                pk=int(source.split(":", 1)[1])
            )
        except (Dataset.DoesNotExist, ValueError):
            raise SourceError(f"unknown data set {source!r}") from None
        with dataset.file.open("rb") as fh:
            frame = read_csv_upload(fh.read())
        label, citation = (
            dataset.name,
            f"uploaded by {dataset.created_by_id} on {dataset.created_at:%Y-%m-%d}",
        )
    else:
        data_source = get_source(source)
        frame = data_source.load(actor)
        label, citation = str(data_source.label), data_source.citation
    return frame, {
        "source": source,
        "label": label,
        "citation": citation,
        "n_rows": len(frame),
        "columns": [str(c) for c in frame.columns],
        "sha256": frame_fingerprint(frame),
    }


@transaction.atomic
def analysis_create(
    *, actor: User, title: str, kind: str, source: str, parameters: dict, enqueue: bool = True
) -> Analysis:
    """Check the method's parameters against the data and queue the analysis.

    ``enqueue=False`` leaves the run to the caller (the demo loader runs it at once).
    """
    _require_analyst(actor)
    frame, _provenance = load_source_frame(actor=actor, source=source)
    cleaned = clean_parameters(kind, parameters, columns=[str(c) for c in frame.columns])
    analysis = Analysis.objects.create(
        title=title,
        kind=kind,
        source=source,
        parameters=cleaned,
        country_id=actor.country_id,
        created_by=actor,
    )
    audit_record(
        actor=actor, action=AuditAction.RECORD_CREATE, obj=analysis, kind=kind, source=source
    )
    from matis.analytics.tasks import run_analysis_task

    if enqueue:
        transaction.on_commit(lambda: run_analysis_task.enqueue(analysis.pk))
    return analysis


def analysis_run(*, analysis_id: int) -> Analysis:
    """Run a queued analysis; progress is written as it goes, the result at the end."""
    analysis = Analysis.objects.select_related("created_by").get(pk=analysis_id)
    if analysis.is_finished:
        return analysis
    analysis.start()
    last = {"at": -1.0}

    def progress(fraction: float, message: str) -> None:
        if fraction - last["at"] >= 0.02 or fraction >= 1.0:  # at most ~50 writes a run
            last["at"] = fraction
            percent = round(min(max(fraction, 0.0), 1.0) * 100)
            analysis.report_progress(phase=message, done=percent, total=100)

    try:
        frame, provenance = load_source_frame(actor=analysis.created_by, source=analysis.source)
        output = RUNNERS[analysis.kind](frame, analysis.parameters, progress)
    except Exception as exc:  # a failed analysis is a result too: record why
        logger.warning("analysis %s failed: %s", analysis_id, exc)
        with transaction.atomic():
            analysis.finish(JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
            audit_record(actor=None, action=AuditAction.JOB_RUN, obj=analysis, status="failed")
        logger.debug("".join(traceback.format_exc()))
        return analysis
    from tipstats import __version__ as tipstats_version

    provenance.update(
        {
            "parameters": analysis.parameters,
            "tipstats_version": tipstats_version,
            "run_at": timezone.now().isoformat(),
        }
    )
    with transaction.atomic():
        analysis.finish(
            JobStatus.DONE,
            result=output["result"],
            tables=output["tables"],
            chart=output["chart"],
            provenance=provenance,
            phase="",
            done=100,
            total=100,
        )
        audit_record(actor=None, action=AuditAction.JOB_RUN, obj=analysis, status="done")
    return analysis


@transaction.atomic
def analysis_publish(*, actor: User, analysis: Analysis, method: str = "suppress") -> Analysis:
    """Publish an analysis: its count tables pass disclosure control first.

    ``method`` is ``"suppress"`` (small counts hidden) or ``"round"`` (controlled
    rounding, for tables that must keep their totals and show every cell).
    """
    from matis.analytics.disclosure import METHODS, min_cell, protect_table, rounding_base

    if not has_perm(actor, "analytics.publish_analysis", analysis):
        raise PermissionDenied(
            "Only statistics officers and secretariat analysts publish analyses."
        )
    if analysis.status != JobStatus.DONE:
        raise ValueError("Only a finished analysis can be published.")
    if method not in METHODS:
        raise ValueError(f"Unknown disclosure method {method!r}: suppress or round.")
    threshold = min_cell()
    analysis.published_tables = [
        {
            **protect_table(t, kind=analysis.kind, threshold=threshold, method=method),
            "key": t.get("key", ""),
        }
        for t in analysis.tables
    ]
    analysis.published = True
    analysis.published_at = timezone.now()
    analysis.save(update_fields=["published_tables", "published", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=analysis,
        published=True,
        method=method,
        threshold=threshold if method == "suppress" else None,
        rounding_base=rounding_base() if method == "round" else None,
    )
    return analysis
