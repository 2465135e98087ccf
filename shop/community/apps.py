from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """What the shop's visitors share around a product beyond Oscar's own apps (reviews and
    wishlists are Oscar's): "customers also bought", and the page's social and schema.org
    metadata. No models: it reads Oscar's catalogue and orders."""

    name = "shop.community"
    label = "community"
    verbose_name = _("Communauté")
