""" "succeeded" is now "done"; the reason a job was rejected or failed moves to ``error``.

Until now the reason was kept in ``message``; it is copied to ``error``. Jobs
that ran get ``started_at`` from their creation time (the closest known).
"""

from django.db import migrations
from django.db.models import F


def to_common_job(apps, schema_editor):
    ImportJob = apps.get_model("statistics", "ImportJob")
    ImportJob.objects.filter(status="succeeded").update(status="done")
    ImportJob.objects.filter(status__in=("rejected", "failed")).update(error=F("message"))
    ImportJob.objects.exclude(status="queued").update(started_at=F("created_at"))


def from_common_job(apps, schema_editor):
    ImportJob = apps.get_model("statistics", "ImportJob")
    ImportJob.objects.filter(status="done").update(status="succeeded")
    ImportJob.objects.filter(status__in=("rejected", "failed"), message="").update(
        message=F("error")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0003_importjob_job_fields"),
    ]

    operations = [
        migrations.RunPython(to_common_job, from_common_job),
    ]
