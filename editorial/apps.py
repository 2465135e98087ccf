from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("Editorial")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The shop's product page shows the posts and galleries featuring the product; the shop
        # cannot import editorial, so editorial hands it a panel to render.
        from shop.community.panels import register_product_panel

        from .panels import related_content_panel

        register_product_panel("editorial.related_content", related_content_panel)
