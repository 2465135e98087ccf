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
    # 1 parent print + 15 variants + 2 albums + 1 gift card + 1 USB key + 1 session package
    # + 1 extra photo, and the booking deposit (made by shop/deposits' migration, not the demo).
    assert seeded["products"] == 23
    assert seeded["stock records"] == 22  # every product but the parent, which Oscar forbids
    assert seeded["images"] == 7  # the variants show their parent's picture
    assert seeded["categories"] == 4
    assert seeded["product classes"] == 5
    assert seeded["attribute values"] == 60  # size, paper, finish and framing of each variant


def test_prints_come_in_every_size_paper_and_finish_and_framed_in_the_larger_sizes():
    demo.seed(lambda line: None)
    parent = Product.objects.get(upc=demo.PRINT_PARENT_UPC)

    assert parent.is_parent
    assert not parent.get_product_class().track_stock  # made to order: never out of stock
    variants = {
        (
            child.attr.size,
            child.attr.paper.option,
            child.attr.finish.option,
            child.attr.framing.option,
        )
        for child in parent.children.all()
    }
    unframed = {
        (size, paper, finish, "Sans cadre")
        for _, size in demo.SIZES
        for _, paper in demo.PAPERS
        for _, finish in demo.FINISHES
    }
    framed = {
        ("30×45 cm", "Fine Art Baryta", "Mat", "Cadre bois noir"),
        ("40×60 cm", "Fine Art Baryta", "Mat", "Cadre bois noir"),
        ("40×60 cm", "Fine Art Baryta", "Mat", "Caisse américaine"),
    }
    assert variants == unframed | framed
    assert len({child.upc for child in parent.children.all()}) == 15


def test_each_variant_has_its_own_price_and_stock_record_at_the_studio_partner():
    demo.seed(lambda line: None)
    parent = Product.objects.get(upc=demo.PRINT_PARENT_UPC)

    prices = {}
    for child in parent.children.all():
        record = child.stockrecords.get()
        assert record.partner.name == demo.PARTNER_NAME
        assert record.partner_sku == child.upc
        prices[child.upc] = record.price
    # The finish costs nothing, the frame does.
    assert prices[demo.print_upc("20x30", "lustre", "mat")] == Decimal("24.00")
    assert prices[demo.print_upc("40x60", "baryta", "mat")] == Decimal("102.00")
    framed = demo.print_upc("40x60", "baryta", "mat", "caisse-americaine")
    assert prices[framed] == Decimal("246.00")
    # A glossy unframed print keeps the UPC it had before finishes and framings existed.
    assert demo.print_upc("20x30", "lustre") == "BK-TIRAGE-20X30-LUSTRE"


def test_a_catalogue_seeded_before_finishes_and_framings_gets_them_without_changes_elsewhere(
    search_index,
):
    """A database seeded by the previous catalogue (six glossy prints with a size and a paper
    only): the next seed adds the finish and framing to those six and the nine new variants,
    and leaves a price changed in the dashboard alone."""
    demo.seed(lambda line: None)
    finish = get_model("catalogue", "ProductAttribute").objects.get(code="finish")
    framing = get_model("catalogue", "ProductAttribute").objects.get(code="framing")
    get_model("catalogue", "ProductAttributeValue").objects.filter(
        attribute__in=[finish, framing]
    ).delete()
    Product.objects.filter(
        upc__startswith=f"{demo.PRINT_PARENT_UPC}-", upc__contains="-MAT"
    ).delete()
    old = Product.objects.get(upc=demo.print_upc("30x45", "lustre"))
    old.stockrecords.update(price=Decimal("30.00"))  # changed in the dashboard

    log: list[str] = []
    demo.seed(log.append)

    assert sum(line.startswith("product ") for line in log) == 9
    old = Product.objects.get(pk=old.pk)
    assert (old.attr.finish.option, old.attr.framing.option) == ("Brillant", "Sans cadre")
    assert old.stockrecords.get().price == Decimal("30.00")
    assert counts()["attribute values"] == 60


def test_services_are_not_shipped():
    demo.seed(lambda line: None)

    for upc in ("BK-SEANCE-PORTRAIT", "BK-PHOTO-SUPPLEMENTAIRE"):
        product = Product.objects.get(upc=upc)
        assert not product.is_shipping_required
        assert not product.is_public  # sold from the booking side, not the catalogue
    assert Product.objects.get(upc="BK-ALBUM-LIN-30").is_shipping_required


def test_a_print_is_typed_at_what_the_customer_pays_of_which_a_sixth_is_vat():
    demo.seed(lambda line: None)
    child = Product.objects.get(upc=demo.print_upc("20x30", "lustre"))

    info = Selector().strategy().fetch_for_product(child)

    assert child.stockrecords.get().price == Decimal("24.00")  # typed TTC, the default
    assert info.price.excl_tax == Decimal("20.00")
    assert info.price.incl_tax == Decimal("24.00")
    assert info.availability.is_available_to_buy


def test_pictures_are_the_same_on_every_run():
    assert demo._picture("print") == demo._picture("print")
    assert demo._picture("print") != demo._picture("album")


def test_the_demo_offers_a_postal_rate_beside_the_studio_pickup():
    logged: list[str] = []
    demo.seed(logged.append)
    demo.seed_postal_rate(logged.append)
    demo.seed_postal_rate(logged.append)  # the second seed adds no second rate
    rate = get_model("shipping", "WeightBased").objects.get()

    assert logged.count(f"postal rate {demo.POSTAL_RATE_NAME}") == 1
    assert [c.iso_3166_1_a2 for c in rate.countries.all()] == ["FR"]
    assert rate.get_charge(Decimal("0.5")) == Decimal("6.90")
    assert rate.get_charge(Decimal("1.2")) == Decimal("10.00")
