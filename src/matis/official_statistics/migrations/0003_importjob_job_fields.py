"""ImportJob becomes a matis.common.jobs.BackgroundJob: an error, start and heartbeat times.

Schema and data are two migrations: PostgreSQL refuses to alter a table with
pending trigger events in the transaction that updated its rows.
"""

from django.db import migrations, models


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
    ]
