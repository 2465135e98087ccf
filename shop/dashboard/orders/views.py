"""Oscar's order list, whose CSV export (`download_selected_orders`, and the search form's
`response_format=csv`) writes what buyers typed — names on addresses, emails — as cells.

Oscar finds this module with `get_class("dashboard.orders.views", "OrderListView")`, because
`dashboard` is our fork (shop.dashboard): the rest of `dashboard.orders` stays Oscar's."""

from __future__ import annotations

from oscar.apps.dashboard.orders.views import OrderListView as OscarOrderListView

from booker.csvsafe import safe_cell


class OrderListView(OscarOrderListView):
    def get_row_values(self, order) -> dict:
        # Every CSV row goes through here: no cell may run as a spreadsheet formula.
        return {key: safe_cell(value) for key, value in super().get_row_values(order).items()}
