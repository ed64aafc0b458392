import django.db.models.deletion
from django.db import migrations, models


def load_subdivisions(apps, schema_editor):
    from matis.common.places import sync_subdivisions

    sync_subdivisions(apps.get_model("common", "Subdivision"))


class Migration(migrations.Migration):
    dependencies = [("common", "0004_demo_job")]
    operations = [
        migrations.CreateModel(
            name="Subdivision",
            fields=[
                (
                    "code",
                    models.CharField(
                        max_length=6,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ISO 3166-2 code",
                    ),
                ),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("kind", models.CharField(blank=True, max_length=60, verbose_name="kind")),
                (
                    "names",
                    models.JSONField(blank=True, default=dict, verbose_name="names by language"),
                ),
                (
                    "country",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subdivisions",
                        to="common.country",
                        verbose_name="country",
                    ),
                ),
            ],
            options={
                "verbose_name": "province or region",
                "verbose_name_plural": "provinces and regions",
                "ordering": ["country_id", "name"],
            },
        ),
        migrations.RunPython(load_subdivisions, migrations.RunPython.noop),
    ]
