"""ImportJob becomes a matis.common.jobs.BackgroundJob: one status set, an error, times.

"succeeded" is now "done"; the reason a job was rejected or failed, kept in
``message`` until now, is copied to ``error``. Jobs that ran get
``started_at`` from their creation time (the closest known).
"""

from django.db import migrations, models
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
        ("statistics", "0002_observation_country_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="error",
            field=models.TextField(blank=True, verbose_name="error"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="progress_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="importjob",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="started"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="phase",
            field=models.CharField(blank=True, max_length=200, verbose_name="phase"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Waiting"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("rejected", "Rejected: nothing was written"),
                    ("failed", "Failed"),
                ],
                default="queued",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(to_common_job, from_common_job),
    ]
