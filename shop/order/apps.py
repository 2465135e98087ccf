import oscar.apps.order.apps as apps


class OrderConfig(apps.OrderConfig):
    """Oscar's orders; only the line's description changes (shop/order/models.py)."""

    name = "shop.order"
