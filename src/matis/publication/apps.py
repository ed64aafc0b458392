from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


class PublicationConfig(AppConfig):
    name = "matis.publication"
    label = "publication"
    verbose_name = _("Publication")
    demo_loader = "matis.publication.demo.load_demo"
    demo_order = 90  # after the statistics are approved
    nav_items = (NavItem("publishing:releases", _("Releases"), "publication.release"),)
