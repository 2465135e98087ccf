from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site's own settings (studio details, menus), edited in Wagtail. Labelled apart from
    Django's `sites` framework, which the project also uses."""

    name = "editorial.site"
    label = "editorial_site"
    verbose_name = _("Site settings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from booker.branding import register_studio_details

        from . import receivers  # noqa: F401 -- the menu cache's purge
        from .selectors import studio_details

        # The booker's emails sign with the studio's details; the editors keep them here, and
        # the booker cannot import the site, so the site hands them over (booker/branding.py).
        register_studio_details(studio_details)
