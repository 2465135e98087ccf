import oscar.apps.basket.apps as apps

from shop.routes import rerouted


class BasketConfig(apps.BasketConfig):
    """Oscar's basket; its forms (shop/basket/forms.py) and its add-to-basket view
    (shop/basket/views.py) change."""

    name = "shop.basket"

    def get_urls(self):
        # Oscar's pattern with the add view's id as every route of ours takes one.
        return rerouted(super().get_urls(), "add", "add/<id:pk>/")
