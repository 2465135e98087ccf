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
        from .privacy import register as register_personal_data

        # The Booker's sections of a person's data export; the shop adds its own.
        register_personal_data()
        from .crm import personal_data as crm_personal_data

        crm_personal_data.register()
        from . import company_privacy

        # A company's data export and erasure; the shop adds its invoices' part.
        company_privacy.register()
        from .marketing import timeline as marketing_timeline

        # Campaign emails on the contacts' timelines (booker.crm.timeline reads no marketing).
        marketing_timeline.register()

        # `<id:…>` in every URL of ours: ids past the database's bigint are a 404, not a 500.
        register_converter(DatabaseIdConverter, "id")
