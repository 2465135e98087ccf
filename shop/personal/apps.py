from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonalConfig(AppConfig):
    """Personal prints of delivered photos, extra photos of a selection, and the lab's list."""

    name = "shop.personal"
    label = "personal"
    verbose_name = _("Tirages personnels")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 -- unlocks paid extras when an order is paid
