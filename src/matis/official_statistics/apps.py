from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from matis.common.navigation import NavItem


def _load_structure_after_migrate(sender, using="default", plan=None, **kwargs):
    """Create the bundled indicators, code lists and rules that do not exist yet.

    Like Django's content types: every database gets the structure its code
    expects, the test database included. Existing entries are not touched, so
    an administrator's edits survive (``matis statistics load-structure --update``
    resets them to the file).
    """
    from django.db import connections

    from matis.official_statistics.io.adx import adx_mapping_load
    from matis.official_statistics.loader import load_structure
    from matis.official_statistics.models import StatisticalIndicator

    table = StatisticalIndicator._meta.db_table
    if table not in connections[using].introspection.table_names():
        return  # migrated only part of the way
    load_structure()
    adx_mapping_load()


class StatisticsConfig(AppConfig):
    name = "matis.official_statistics"
    label = "statistics"
    verbose_name = _("Statistics")
    demo_loader = "matis.official_statistics.demo.load_demo"
    demo_order = 30
    # Provinces for the demo cases and tips, and statistics by province from them:
    # after the cases (50), tips and returns (55) and justice (56) demo.
    extra_demo_loaders = {"places": ("matis.official_statistics.demo_places.load_places_demo", 58)}
    nav_items = (
        NavItem("statistics:dashboard", _("Statistics"), "statistics.view_statistics"),
        NavItem("statistics:submission_list", _("Submissions"), "statistics.view_submissions"),
    )

    def ready(self):
        from matis.official_statistics.inbox import register_inbox_sources

        register_inbox_sources()

        from matis.official_statistics.providers import register_providers

        register_providers()
        post_migrate.connect(
            _load_structure_after_migrate, sender=self, dispatch_uid="statistics_load_structure"
        )
