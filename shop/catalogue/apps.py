import oscar.apps.catalogue.apps as apps


class CatalogueConfig(apps.CatalogueConfig):
    """Oscar's catalogue and its models (label `catalogue`: the same tables and migrations)."""

    name = "shop.catalogue"
