"""The 0..1 progress, now ``done`` of ``total=100``, goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0004_analysis_fraction_to_done"),
    ]

    operations = [
        migrations.RemoveField(model_name="analysis", name="progress"),
    ]
