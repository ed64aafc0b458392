import django.db.models.deletion
from django.db import migrations, models


def load_districts(apps, schema_editor):
    """Nothing now: 0007 loads the districts once the code column is wide enough
    for every country's codes (``MM-MMR001D001``). Databases migrated before
    0007 existed got the Thai districts here; 0007 adds the others."""


class Migration(migrations.Migration):
    dependencies = [("common", "0005_places")]
    operations = [
        migrations.CreateModel(
            name="District",
            fields=[
                (
                    "code",
                    models.CharField(
                        max_length=12,
                        primary_key=True,
                        serialize=False,
                        verbose_name="district code",
                    ),
                ),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                (
                    "names",
                    models.JSONField(blank=True, default=dict, verbose_name="names by language"),
                ),
                (
                    "subdivision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="districts",
                        to="common.subdivision",
                        verbose_name="province or region",
                    ),
                ),
            ],
            options={
                "verbose_name": "district",
                "verbose_name_plural": "districts",
                "ordering": ["subdivision_id", "name"],
            },
        ),
        migrations.RunPython(load_districts, migrations.RunPython.noop),
    ]
