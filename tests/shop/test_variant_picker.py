"""A parent product's picker (size × paper, finish, framing): which variant it chooses, and the
add-to-basket form that adds that variant, picked by its values or, without JavaScript, from
the list of variants."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from shop import demo
from shop.catalogue.selectors import variant_picker

Basket = get_model("basket", "Basket")
Product = get_model("catalogue", "Product")
Selector = get_class("partner.strategy", "Selector")

BARYTA_30X45_MATTE = {
    "size": "30×45 cm", "paper": "Fine Art Baryta", "finish": "Mat", "framing": "Sans cadre",
}


@pytest.fixture
def picker(catalogue):
    parent = Product.objects.get(upc=demo.PRINT_PARENT_UPC)
    return variant_picker(parent, Selector().strategy())


def test_the_print_is_picked_by_size_paper_finish_and_framing(picker):
    assert [d.code for d in picker.dimensions] == ["size", "paper", "finish", "framing"]
    [size, paper, _, framing] = picker.dimensions
    assert size.name == "Format"
    assert [c.value for c in size.choices] == ["20×30 cm", "30×45 cm", "40×60 cm"]
    assert [c.value for c in paper.choices] == ["Lustré", "Fine Art Baryta"]
    assert framing.choices[0].value == "Sans cadre"  # unframed prints cost less
    assert len(picker.variants) == 15


def test_the_picker_starts_on_the_cheapest_print_at_the_from_price(picker):
    assert picker.initial.product.upc == demo.print_upc("20x30", "lustre")
    assert picker.initial.price == Decimal("24.00")
    assert [c.value for c in picker.dimensions[0].choices if c.selected] == ["20×30 cm"]


def test_the_picker_chooses_the_variant_made_in_the_values_picked(picker):
    chosen = picker.choose(BARYTA_30X45_MATTE)

    assert chosen.product.upc == demo.print_upc("30x45", "baryta", demo.MATTE)
    assert chosen.price == Decimal("66.00")
    assert chosen.price_text == "66,00\xa0€"


def test_the_picker_chooses_the_framed_print_with_its_frame_in_its_price(picker):
    chosen = picker.choose({**BARYTA_30X45_MATTE, "framing": "Cadre bois noir"})

    assert chosen.product.upc == demo.print_upc("30x45", "baryta", demo.MATTE, "bois-noir")
    assert chosen.price == Decimal("138.00")  # 66.00 + 72.00


def test_the_picker_chooses_nothing_for_a_combination_never_made(picker):
    # Only the matte Baryta is framed, and never a 20×30.
    assert picker.choose({**BARYTA_30X45_MATTE, "size": "20×30 cm",
                          "framing": "Cadre bois noir"}) is None
    assert picker.choose({"size": "30×45 cm", "paper": "Fine Art Baryta"}) is None


def _add(client, data):
    parent = Product.objects.get(upc=demo.PRINT_PARENT_UPC)
    return client.post(reverse("basket:add", kwargs={"pk": parent.pk}), {"quantity": 1, **data})


def test_the_values_picked_put_that_variant_in_the_basket_at_its_price(client, catalogue):
    _add(client, {f"variant_{code}": value for code, value in BARYTA_30X45_MATTE.items()})

    basket = Basket.objects.get()
    [line] = basket.all_lines()
    assert line.product.upc == demo.print_upc("30x45", "baryta", demo.MATTE)
    assert line.price_incl_tax == Decimal("66.00")


def test_without_javascript_the_variant_chosen_in_the_list_goes_in_the_basket(client, catalogue):
    variant = Product.objects.get(upc=demo.print_upc("40x60", "lustre"))

    _add(client, {"child_id": variant.pk})

    [line] = Basket.objects.get().all_lines()
    assert line.product == variant
    assert line.price_incl_tax == Decimal("60.00")


def test_a_combination_never_made_adds_nothing_and_says_so(client, catalogue):
    values = {**BARYTA_30X45_MATTE, "size": "20×30 cm", "framing": "Cadre bois noir"}

    response = _add(client, {f"variant_{code}": value for code, value in values.items()})

    assert not Basket.objects.filter(lines__isnull=False).exists()
    page = client.get(response.url).content.decode()
    assert "Cette combinaison n’existe pas" in page


def test_the_product_page_offers_the_picker_and_the_list_of_variants(client, catalogue):
    parent = Product.objects.get(upc=demo.PRINT_PARENT_UPC)

    page = client.get(parent.get_absolute_url()).content.decode()

    assert 'name="variant_size"' in page and 'name="variant_paper"' in page
    assert "30×45 cm, Fine Art Baryta, Mat, Sans cadre — 66,00\xa0€" in page
    assert "à partir de 24,00\xa0€" in page
