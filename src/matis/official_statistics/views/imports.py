"""Uploading a file: a background import whose progress the page polls."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import get_scoped_or_404, scoped
from matis.common.files import upload_limit
from matis.common.jobs import job_status_response
from matis.official_statistics import selectors
from matis.official_statistics.forms import MAX_UPLOAD_BYTES, ImportForm
from matis.official_statistics.models import (
    ImportJob,
)
from matis.official_statistics.tasks import run_import_job


@scoped("country", model=ImportJob)
@upload_limit(MAX_UPLOAD_BYTES)
@login_required
def import_upload(request):
    user = request.user
    allowed = has_perm(user, "statistics.edit_submission", user.country_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            name = PurePath(upload.name).name[:200]
            stored = default_storage.save(f"statistics/imports/{uuid.uuid4().hex}", upload)
            job = ImportJob.objects.create(
                country_id=user.country_id,
                created_by=user,
                format=form.cleaned_data["format"],
                filename=name,
                stored_file=stored,
                dry_run=form.cleaned_data["dry_run"],
            )
            audit_record(actor=user, action=AuditAction.FILE_UPLOAD, obj=job, filename=name)
            run_import_job.enqueue(job.pk)
            return redirect("statistics:import_job", pk=job.pk)
    jobs = selectors.import_jobs_visible(user)[:20]
    return render(
        request, "statistics/import.html", {"form": form, "jobs": jobs, "allowed": allowed}
    )


def _job(request, pk: int) -> ImportJob:
    return get_scoped_or_404(request.user, ImportJob.objects.select_related("created_by"), pk=pk)


@scoped("country", model=ImportJob, lookup="pk")
@login_required
@require_GET
def import_job(request, pk: int):
    return render(request, "statistics/import_job.html", {"job": _job(request, pk)})


@scoped("country", model=ImportJob, lookup="pk")
@login_required
@require_GET
def import_job_status(request, pk: int):
    """Progress for ``includes/job_progress.html`` (``static/matis/js/progress.js``)."""
    job = _job(request, pk)
    return job_status_response(
        job,
        created=job.n_created,
        updated=job.n_updated,
        unchanged=job.n_unchanged,
        n_errors=job.n_errors,
        errors=job.errors[:50],
    )


@scoped("country", model=ImportJob, lookup="pk")
@login_required
@require_GET
def import_job_file(request, pk: int):
    """The uploaded file, back to the people who may see the job."""
    job = _job(request, pk)
    if not job.stored_file or not default_storage.exists(job.stored_file):
        raise Http404
    audit_record(actor=request.user, action=AuditAction.FILE_DOWNLOAD, obj=job)
    return FileResponse(
        default_storage.open(job.stored_file, "rb"), as_attachment=True, filename=job.filename
    )
