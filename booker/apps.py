from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookerConfig(AppConfig):
    name = "booker"
    verbose_name = _("Studio")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import register_converter

        from . import receivers  # noqa: F401 -- connects every signal the Booker listens to
        from .converters import DatabaseIdConverter

        # `<id:…>` in every URL of ours: ids past the database's bigint are a 404, not a 500.
        register_converter(DatabaseIdConverter, "id")
