"""Demo content for every surface, in dependency order. Safe to run again: it changes nothing."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app seeds its own content; later apps use what earlier ones made.
SEEDERS = ("booker.demo", "shop.demo", "editorial.demo")


class Command(BaseCommand):
    help = "Load the demo studio: people, a company, the print catalogue and the site's pages."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")

    def handle(self, *args, quiet: bool = False, **options):
        def log(line: str) -> None:
            if not quiet:
                self.stdout.write(f"  + {line}")

        for path in SEEDERS:
            module = import_module(path)
            with transaction.atomic():
                module.seed(log)
        if not quiet:
            self.stdout.write(self.style.SUCCESS("Demo content is in place."))
