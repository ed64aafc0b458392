from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_countries(sender, using="default", **kwargs):
    """Countries are reference data: put them back after a flush (e.g. between transactional tests)."""
    from matis.common.countries import sync_countries
    from matis.common.models import Country

    if not Country.objects.using(using).exists():
        sync_countries(Country)


class CommonConfig(AppConfig):
    name = "matis.common"
    label = "common"
    verbose_name = _("Common reference data")

    def ready(self):
        post_migrate.connect(_ensure_countries, sender=self, dispatch_uid="matis-common-countries")
