from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JusticeConfig(AppConfig):
    name = "matis.justice"
    label = "justice"
    verbose_name = _("Justice")
