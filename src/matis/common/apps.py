from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_countries(sender, using="default", **kwargs):
    """Countries are reference data: put them back after a flush (e.g. between transactional tests)."""
    from matis.common.countries import sync_countries
    from matis.common.models import Country

    if not Country.objects.using(using).exists():
        sync_countries(Country)


def _load_country_aliases(sender, using="default", **kwargs):
    """Add the bundled country-name aliases the table lacks (after every migrate and flush).

    Existing rows are left as an administrator edited them; deactivated ones stay so.
    """
    from django.db import connections

    from matis.common.aliases import country_aliases_load
    from matis.common.models import CountryAlias

    if CountryAlias._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated only part of the way
    country_aliases_load(audit=False)


class CommonConfig(AppConfig):
    name = "matis.common"
    label = "common"
    verbose_name = _("Common reference data")

    def ready(self):
        post_migrate.connect(_ensure_countries, sender=self, dispatch_uid="matis-common-countries")
        post_migrate.connect(
            _load_country_aliases, sender=self, dispatch_uid="matis-common-country-aliases"
        )
