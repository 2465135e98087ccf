"""django-q2's `qcluster`, with what the cluster's parent does before it forks its workers.
Overrides django_q's command of the same name: booker comes before django_q in
INSTALLED_APPS, and Django takes the first app's command."""

from django.db import connections
from django_q.management.commands.qcluster import Command as QclusterCommand

from booker import schedules
from booker.intake import ingest


class Command(QclusterCommand):
    def handle(self, *args, **options):
        # The schedules the cluster runs, as declared: a deployment that starts the cluster
        # without running `migrate` (or after someone deleted one) still has them.
        schedules.sync()
        connections.close_all()  # not inherited by the forked processes
        ingest.warm_up_before_fork()
        super().handle(*args, **options)
