import oscar.apps.basket.apps as apps


class BasketConfig(apps.BasketConfig):
    """Oscar's basket; only its forms change (shop/basket/forms.py)."""

    name = "shop.basket"
