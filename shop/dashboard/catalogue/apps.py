import oscar.apps.dashboard.catalogue.apps as apps


class CatalogueDashboardConfig(apps.CatalogueDashboardConfig):
    """Oscar's catalogue pages, forked for `forms.py`: the stock record's price says whether it
    is typed with VAT or without."""

    name = "shop.dashboard.catalogue"
