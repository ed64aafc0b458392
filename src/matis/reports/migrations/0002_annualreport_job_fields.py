"""AnnualReport becomes a matis.common.jobs.BackgroundJob: its fields (step becomes phase).

Schema, data and the removal of ``progress`` are three migrations: PostgreSQL
refuses to alter a table with pending trigger events in the transaction that
updated its rows.
"""

from django.db import migrations, models


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
