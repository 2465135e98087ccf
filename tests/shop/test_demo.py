"""The demo catalogue: what it contains, its prices with VAT, and that seeding twice is safe."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_class, get_model

from shop import demo

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
StockRecord = get_model("partner", "StockRecord")
Selector = get_class("partner.strategy", "Selector")

MODELS = {
    "products": Product,
    "stock records": StockRecord,
    "images": get_model("catalogue", "ProductImage"),
    "categories": get_model("catalogue", "Category"),
    "product classes": ProductClass,
    "attributes": get_model("catalogue", "ProductAttribute"),
    "attribute values": get_model("catalogue", "ProductAttributeValue"),
    "attribute options": get_model("catalogue", "AttributeOption"),
    "product categories": get_model("catalogue", "ProductCategory"),
    "partners": get_model("partner", "Partner"),
    "countries": get_model("address", "Country"),
}

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in MODELS.items()}


def test_a_second_seed_changes_nothing(search_index):
    first: list[str] = []
    demo.seed(first.append)
    seeded = counts()
    second: list[str] = []
    demo.seed(second.append)

    assert counts() == seeded
    assert second == []
    # 1 parent print + 6 variants + 2 albums + 1 gift card + 1 session package + 1 extra photo.
    assert seeded["products"] == 12
    assert seeded["stock records"] == 11  # every product but the parent, which Oscar forbids
    assert seeded["images"] == 6  # the variants show their parent's picture
    assert seeded["categories"] == 3
    assert seeded["product classes"] == 4
    assert seeded["attribute values"] == 12  # size and paper of each variant


def test_prints_come_in_every_size_and_paper():
    demo.seed(lambda line: None)
    parent = Product.objects.get(upc=demo.PRINT_PARENT_UPC)

    assert parent.is_parent
    assert not parent.get_product_class().track_stock  # made to order: never out of stock
    variants = {(child.attr.size, child.attr.paper.option) for child in parent.children.all()}
    assert variants == {(size, paper) for _, size in demo.SIZES for _, paper in demo.PAPERS}


def test_services_are_not_shipped():
    demo.seed(lambda line: None)

    for upc in ("BK-SEANCE-PORTRAIT", "BK-PHOTO-SUPPLEMENTAIRE"):
        product = Product.objects.get(upc=upc)
        assert not product.is_shipping_required
        assert not product.is_public  # sold from the booking side, not the catalogue
    assert Product.objects.get(upc="BK-ALBUM-LIN-30").is_shipping_required


def test_a_print_costs_its_price_plus_20_percent_vat():
    demo.seed(lambda line: None)
    child = Product.objects.get(upc=demo.print_upc("20x30", "lustre"))

    info = Selector().strategy().fetch_for_product(child)

    assert child.stockrecords.get().price == Decimal("20.00")  # stored excluding VAT
    assert info.price.excl_tax == Decimal("20.00")
    assert info.price.incl_tax == Decimal("24.00")
    assert info.availability.is_available_to_buy


def test_pictures_are_the_same_on_every_run():
    assert demo._picture("print") == demo._picture("print")
    assert demo._picture("print") != demo._picture("album")
