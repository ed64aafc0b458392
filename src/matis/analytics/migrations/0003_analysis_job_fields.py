"""Analysis becomes a matis.common.jobs.BackgroundJob: its fields (progress_message becomes phase).

Schema, data and the removal of ``progress`` are three migrations: PostgreSQL
refuses to alter a table with pending trigger events in the transaction that
updated its rows.
"""

from django.db import migrations, models


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
