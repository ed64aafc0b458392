from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "matis.publication"
    label = "publication"
    verbose_name = _("Publication")
    demo_loader = "matis.publication.demo.load_demo"
    demo_order = 90  # after the statistics are approved
