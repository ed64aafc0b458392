from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiClientsConfig(AppConfig):
    name = "matis.apiclients"
    label = "apiclients"
    verbose_name = _("API clients")

    def ready(self):
        from matis.apiclients import schema  # noqa: F401  (registers the OpenAPI token scheme)
