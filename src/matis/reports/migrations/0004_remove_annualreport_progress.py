"""The percent, now ``done`` of ``total=100``, goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_annualreport_percent_to_done"),
    ]

    operations = [
        migrations.RemoveField(model_name="annualreport", name="progress"),
    ]
