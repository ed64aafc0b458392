from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matis.plans.loader import RegistryError, load_registry


class Command(BaseCommand):
    help = "Load the COMMIT plan registry (MOU, SPA I-III, Areas, goals, activities). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, help="registry YAML (default: the bundled spa3.yaml)"
        )
        parser.add_argument("--force", action="store_true", help="re-apply even if unchanged")

    def handle(self, *args, file=None, force=False, **options):
        try:
            result = load_registry(file, force=force)
        except RegistryError as exc:
            raise CommandError(f"registry not loaded, nothing written: {exc}") from exc
        self.stdout.write(str(result))
        for key, value in result.counts.items():
            self.stdout.write(f"  {key}: {value}")
