"""Give up the rush uploads nobody touched for days (a tab closed for good): their parts cost
storage, on S3 too. The cluster runs it daily (the Schedule "booker.abort_stale_uploads",
made by migrate); this is the manual way, with another delay.

    python manage.py abort_stale_uploads [--days 3]
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from booker.intake import uploads


class Command(BaseCommand):
    help = "Abort rush uploads left open and untouched for some days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=float, default=uploads.STALE_AFTER.days,
                            help="Untouched for this many days (default %(default)s).")

    def handle(self, *args, days: float, **options) -> None:
        count = uploads.abort_stale_uploads(timedelta(days=days))
        self.stdout.write(f"{count} stale upload(s) aborted.")
