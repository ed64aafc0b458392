"""Analysis becomes a matis.common.jobs.BackgroundJob: progress 0..1 -> done of total=100.

progress_message becomes the phase (the method's own words while it runs).
"""

from django.db import migrations, models


def fraction_to_done_of_100(apps, schema_editor):
    Analysis = apps.get_model("analytics", "Analysis")
    for pk, fraction in Analysis.objects.values_list("pk", "progress"):
        done = round(min(max(fraction or 0.0, 0.0), 1.0) * 100)
        Analysis.objects.filter(pk=pk).update(done=done, total=100)
    Analysis.objects.exclude(status="running").update(phase="")


def done_of_total_to_fraction(apps, schema_editor):
    Analysis = apps.get_model("analytics", "Analysis")
    for pk, status, done, total in Analysis.objects.values_list("pk", "status", "done", "total"):
        fraction = 1.0 if status in ("done", "failed") else (min(1.0, done / total) if total else 0.0)
        Analysis.objects.filter(pk=pk).update(progress=fraction)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_publication"),
    ]

    operations = [
        migrations.RenameField(
            model_name="analysis", old_name="progress_message", new_name="phase"
        ),
        migrations.AlterField(
            model_name="analysis",
            name="phase",
            field=models.CharField(blank=True, max_length=200, verbose_name="phase"),
        ),
        migrations.AddField(
            model_name="analysis",
            name="done",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="analysis",
            name="total",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="analysis",
            name="progress_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fraction_to_done_of_100, done_of_total_to_fraction),
        migrations.RemoveField(model_name="analysis", name="progress"),
        migrations.AlterField(
            model_name="analysis",
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
            model_name="analysis",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="started"),
        ),
        migrations.AlterField(
            model_name="analysis",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="finished"),
        ),
    ]
