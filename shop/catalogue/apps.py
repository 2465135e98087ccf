import oscar.apps.catalogue.apps as apps
from django.urls import register_converter

from shop.routes import ProductSlugConverter, rerouted


class CatalogueConfig(apps.CatalogueConfig):
    """Oscar's catalogue and its models; the product page changes (shop/catalogue/views.py)."""

    name = "shop.catalogue"

    def ready(self):
        super().ready()
        # Before any URLconf is read, like booker's `<id:…>`.
        register_converter(ProductSlugConverter, "product_slug")

    def get_urls(self):
        # Oscar's pattern, with the product's id as every route of ours takes one.
        return rerouted(
            super().get_urls(), "detail", "<product_slug:product_slug>_<id:pk>/"
        )
