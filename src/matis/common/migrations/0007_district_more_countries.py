from django.db import migrations, models


def load_districts(apps, schema_editor):
    from matis.common.places import sync_districts

    sync_districts(apps.get_model("common", "District"))


class Migration(migrations.Migration):
    """Districts of Cambodia, Myanmar and China besides Thailand's (``data/SOURCE.md``):
    a wider code column, then every district of ``data/districts.csv`` loaded."""

    dependencies = [("common", "0006_district")]
    operations = [
        migrations.AlterField(
            model_name="district",
            name="code",
            field=models.CharField(
                max_length=16, primary_key=True, serialize=False, verbose_name="district code"
            ),
        ),
        migrations.RunPython(load_districts, migrations.RunPython.noop),
    ]
