"""``matis manage load_places``: refresh the ISO 3166-2 provinces from pycountry."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from matis.common.models import Subdivision
from matis.common.places import sync_subdivisions


class Command(BaseCommand):
    help = "Insert or update the provinces of the six COMMIT countries (ISO 3166-2, pycountry)."

    def handle(self, *args, **options):
        changed = sync_subdivisions(Subdivision)
        self.stdout.write(
            f"{changed} provinces added or updated; {Subdivision.objects.count()} in all."
        )
