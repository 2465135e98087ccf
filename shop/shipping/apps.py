import oscar.apps.shipping.apps as apps


class ShippingConfig(apps.ShippingConfig):
    """Oscar's shipping, forked for the studio's methods (shop/shipping/repository.py): pickup
    at the studio and postal rates by bands of weight or of price (models.py)."""

    name = "shop.shipping"
