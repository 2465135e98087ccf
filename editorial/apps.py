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
        from shop.personal.pictures import register_picture_source

        from .panels import related_content_panel
        from .prints import SOURCE, gallery_picture

        register_product_panel("editorial.related_content", related_content_panel)
        # The contact page's messages and the journal's comments in a person's data export
        # and erasure (GDPR).
        from . import personal_data

        personal_data.register()
        # "Commander ce tirage" under a gallery photo frames and prints that photo, not the
        # print product's own picture: the shop asks editorial for it by reference.
        register_picture_source(SOURCE, gallery_picture)
