"""Percent -> done of total=100; the step text is kept only while a report runs.

The step was a label translated into the report's language when it was
written; the phase is now a key translated for the reader. Only a running
report keeps its old text (shown as written) until it moves on.
"""

from django.db import migrations
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
        ("reports", "0002_annualreport_job_fields"),
    ]

    operations = [
        migrations.RunPython(percent_to_done_of_100, done_of_total_to_percent),
    ]
