"""AnnualReport becomes a matis.common.jobs.BackgroundJob: percent -> done of total=100, step -> phase.

The step was a label translated into the report's language when it was
written; the phase is now a key translated for the reader. Only a running
report keeps its old text (shown as written) until it moves on.
"""

from django.db import migrations, models
from django.db.models import F


def percent_to_done_of_100(apps, schema_editor):
    AnnualReport = apps.get_model("reports", "AnnualReport")
    AnnualReport.objects.update(done=F("progress"), total=100)
    AnnualReport.objects.exclude(status="running").update(phase="")


def done_of_total_to_percent(apps, schema_editor):
    AnnualReport = apps.get_model("reports", "AnnualReport")
    for pk, done, total in AnnualReport.objects.values_list("pk", "done", "total"):
        percent = min(100, round(100 * done / total)) if total else 0
        AnnualReport.objects.filter(pk=pk).update(progress=percent)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="annualreport", old_name="step", new_name="phase"),
        migrations.AlterField(
            model_name="annualreport",
            name="phase",
            field=models.CharField(blank=True, max_length=200, verbose_name="phase"),
        ),
        migrations.AddField(
            model_name="annualreport",
            name="done",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="annualreport",
            name="total",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="annualreport",
            name="progress_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(percent_to_done_of_100, done_of_total_to_percent),
        migrations.RemoveField(model_name="annualreport", name="progress"),
        migrations.AlterField(
            model_name="annualreport",
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
        migrations.AlterField(
            model_name="annualreport",
            name="error",
            field=models.TextField(blank=True, verbose_name="error"),
        ),
        migrations.AlterField(
            model_name="annualreport",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="started"),
        ),
    ]
