from django.db import migrations


def load_countries(apps, schema_editor):
    from matis.common.countries import sync_countries

    sync_countries(apps.get_model("common", "Country"))


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]
    operations = [migrations.RunPython(load_countries, migrations.RunPython.noop)]
