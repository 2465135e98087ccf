"""Oscar's order list, whose CSV export (`download_selected_orders`, and the search form's
`response_format=csv`) writes what buyers typed — names on addresses, emails — as cells.

Oscar finds this module with `get_class("dashboard.orders.views", "OrderListView")`, because
`dashboard` is our fork (shop.dashboard): the rest of `dashboard.orders` stays Oscar's. The
order page's status form also takes the parcel's tracking number (forms.py)."""

from __future__ import annotations

from oscar.apps.dashboard.orders.views import OrderDetailView as OscarOrderDetailView
from oscar.apps.dashboard.orders.views import OrderListView as OscarOrderListView

from booker.csvsafe import safe_cell
from shop.shipping import services as shipping


class OrderListView(OscarOrderListView):
    def get_row_values(self, order) -> dict:
        # Every CSV row goes through here: no cell may run as a spreadsheet formula.
        return {key: safe_cell(value) for key, value in super().get_row_values(order).items()}


class OrderDetailView(OscarOrderDetailView):
    def change_order_status(self, request, order):
        # The tracking number is saved before the status moves: the "shipped" email, sent
        # after the move, reads it from the order.
        form = self.get_order_status_form()
        if form.is_valid():
            shipping.set_tracking_number(order, form.cleaned_data["tracking_number"])
        return super().change_order_status(request, order)
