"""Demo content for every surface, in dependency order. Safe to run again: it changes nothing."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app seeds its own content; later apps use what earlier ones made. "module:function" for a
# seeder other than the module's `seed`: the shop's postal rate is apart from its catalogue, so
# that the tests seeding the catalogue keep a checkout with pickup only (it chooses itself).
SEEDERS = ("booker.demo", "shop.demo", "shop.demo:seed_postal_rate", "editorial.demo")


class Command(BaseCommand):
    help = "Load the demo studio: people, a company, the print catalogue and the site's pages."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")

    def handle(self, *args, quiet: bool = False, **options):
        def log(line: str) -> None:
            if not quiet:
                self.stdout.write(f"  + {line}")

        for path in SEEDERS:
            module_path, _, function = path.partition(":")
            seeder = getattr(import_module(module_path), function or "seed")
            with transaction.atomic():
                seeder(log)
        if not quiet:
            self.stdout.write(self.style.SUCCESS("Demo content is in place."))
