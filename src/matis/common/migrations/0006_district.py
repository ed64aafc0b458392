import django.db.models.deletion
from django.db import migrations, models


def load_districts(apps, schema_editor):
    from matis.common.places import sync_districts

    sync_districts(apps.get_model("common", "District"))


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
