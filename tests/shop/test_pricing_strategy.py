"""The French strategy turns the price typed in the dashboard into prices excl. and incl. VAT:
typed TTC (the default) or HT as the studio chose, cents rounded once, half up; a parent costs
"à partir de" its cheapest variant one can buy."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_product, create_stockrecord

from booker import roles
from shop.partner.strategy import split_excl_tax, split_incl_tax, to_cents
from tests.factories import user_with_role

Product = get_model("catalogue", "Product")
Selector = get_class("partner.strategy", "Selector")


def price_of(product):
    return Selector().strategy().fetch_for_product(product).price


def test_rounding_to_the_cent_is_half_up_as_on_french_invoices():
    assert to_cents(Decimal("0.005")) == Decimal("0.01")
    assert to_cents(Decimal("0.125")) == Decimal("0.13")  # half-even would give 0.12
    assert to_cents(Decimal("79.188")) == Decimal("79.19")


def test_a_price_incl_vat_keeps_every_cent_and_the_tax_is_what_is_left():
    assert split_incl_tax(Decimal("79.20")) == (Decimal("66.00"), Decimal("13.20"))
    # 79.99 / 1.2 = 66.658…: the price excl. VAT rounds, the price incl. VAT does not move.
    assert split_incl_tax(Decimal("79.99")) == (Decimal("66.66"), Decimal("13.33"))


def test_a_price_excl_vat_gets_its_tax_rounded_once():
    # Oscar's FixedRateTax kept 13.1980 of tax: 79.1980 shown 79,20 here, summed otherwise.
    assert split_excl_tax(Decimal("65.99")) == (Decimal("65.99"), Decimal("13.20"))


@pytest.mark.django_db
def test_a_price_typed_ttc_is_what_the_customer_pays(settings):
    settings.BOOKE_PRICES_INCLUDE_TAX = True
    album = create_product(price=Decimal("79.20"))

    price = price_of(album)

    assert (price.incl_tax, price.excl_tax, price.tax) == (
        Decimal("79.20"), Decimal("66.00"), Decimal("13.20")
    )


@pytest.mark.django_db
def test_a_price_typed_ht_gets_20_percent_of_vat_on_top(settings):
    settings.BOOKE_PRICES_INCLUDE_TAX = False
    album = create_product(price=Decimal("66.00"))

    price = price_of(album)

    assert (price.incl_tax, price.excl_tax, price.tax) == (
        Decimal("79.20"), Decimal("66.00"), Decimal("13.20")
    )


@pytest.mark.django_db
def test_a_price_typed_ttc_with_odd_cents_is_not_shown_a_cent_off(settings):
    settings.BOOKE_PRICES_INCLUDE_TAX = True
    album = create_product(price=Decimal("79.99"))

    price = price_of(album)

    assert price.incl_tax == Decimal("79.99")
    assert price.excl_tax + price.tax == Decimal("79.99")


def _parent_with(prices: list[tuple[str, int | None]]):
    """A parent whose variants cost these prices, with this many in stock (None: untracked)."""
    parent = create_product(product_class="Tirage suivi", structure=Product.PARENT)
    for index, (price, stock) in enumerate(prices):
        child = create_product(parent=parent, title=f"Variante {index}")
        create_stockrecord(child, price=Decimal(price), num_in_stock=stock)
    return parent


@pytest.mark.django_db
def test_a_parent_costs_from_its_cheapest_variant_whichever_comes_first(settings):
    settings.BOOKE_PRICES_INCLUDE_TAX = True
    parent = _parent_with([("102.00", 5), ("24.00", 5), ("66.00", 5)])

    price = Selector().strategy().fetch_for_parent(parent).price

    assert price.incl_tax == Decimal("24.00")
    assert price.varies


@pytest.mark.django_db
def test_a_parent_costs_from_its_cheapest_variant_in_stock(settings):
    settings.BOOKE_PRICES_INCLUDE_TAX = True
    parent = _parent_with([("24.00", 0), ("66.00", 5), ("102.00", 5)])

    price = Selector().strategy().fetch_for_parent(parent).price

    assert price.incl_tax == Decimal("66.00")


@pytest.mark.django_db
def test_a_parent_whose_variants_cost_the_same_has_no_from_price(settings):
    settings.BOOKE_PRICES_INCLUDE_TAX = True
    parent = _parent_with([("30.00", 5), ("30.00", 5)])

    price = Selector().strategy().fetch_for_parent(parent).price

    assert price.incl_tax == Decimal("30.00")
    assert not price.varies


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("include_tax", "said"),
    [(True, "Prix TTC</strong> — Ce que paie le client"), (False, "Prix HT</strong> — Hors TVA")],
)
def test_the_dashboard_says_whether_the_price_is_typed_ttc_or_ht(
    client, settings, include_tax, said
):
    settings.BOOKE_PRICES_INCLUDE_TAX = include_tax
    album = create_product(price=Decimal("79.20"))
    client.force_login(user_with_role(roles.SHOP_MANAGER))

    page = client.get(reverse("dashboard:catalogue-product", kwargs={"pk": album.pk}))

    assert said in page.content.decode()
