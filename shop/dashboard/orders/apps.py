import oscar.apps.dashboard.orders.apps as apps

from shop.routes import rerouted


class OrdersDashboardConfig(apps.OrdersDashboardConfig):
    """Oscar's order pages; the order page's view is ours (views.py: the tracking number), so
    its note route takes its id through `<id:…>` as every route of ours does."""

    name = "shop.dashboard.orders"

    def get_urls(self):
        return rerouted(super().get_urls(), "order-detail-note",
                        "<str:number>/notes/<id:note_id>/")
