import sys

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BookerConfig(AppConfig):
    name = "booker"
    verbose_name = _("Studio")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import register_converter

        from .converters import DatabaseIdConverter

        # `<id:…>` in every URL of ours: ids past the database's bigint are a 404, not a 500.
        register_converter(DatabaseIdConverter, "id")
        # The ingest sweeper's Schedule is data the cluster needs, made by `migrate` (as
        # every deployment runs it) rather than by hand.
        from django_q.signals import post_spawn

        from booker.intake.ingest import ensure_sweeper_schedule, warm_up

        from . import session_limits  # noqa: F401 -- its sign-in receiver starts the clocks

        post_migrate.connect(ensure_sweeper_schedule, sender=self,
                             dispatch_uid="booker.ingest.sweeper_schedule")
        post_spawn.connect(warm_up, dispatch_uid="booker.ingest.warm_up")
        if sys.argv[1:2] == ["qcluster"]:
            from booker.intake.ingest import warm_up_before_fork

            warm_up_before_fork()
