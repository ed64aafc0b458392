"""Progress 0..1 -> done of total=100; the message is kept only while an analysis runs."""

from django.db import migrations


def fraction_to_done_of_100(apps, schema_editor):
    Analysis = apps.get_model("analytics", "Analysis")
    for pk, fraction in Analysis.objects.values_list("pk", "progress"):
        done = round(min(max(fraction or 0.0, 0.0), 1.0) * 100)
        Analysis.objects.filter(pk=pk).update(done=done, total=100)
    Analysis.objects.exclude(status="running").update(phase="")


def done_of_total_to_fraction(apps, schema_editor):
    Analysis = apps.get_model("analytics", "Analysis")
    for pk, status, done, total in Analysis.objects.values_list("pk", "status", "done", "total"):
        fraction = (
            1.0 if status in ("done", "failed") else (min(1.0, done / total) if total else 0.0)
        )
        Analysis.objects.filter(pk=pk).update(progress=fraction)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_analysis_job_fields"),
    ]

    operations = [
        migrations.RunPython(fraction_to_done_of_100, done_of_total_to_fraction),
    ]
