"""The shop in the site's design (issue 20): the site's stylesheets and header on every shop,
basket and checkout page, none of Oscar's Bootstrap (only the dashboard keeps it), one
navigation and one search box, no technical table on a product page, reviews only where there
are some, and prices in a colour that reads (WCAG AA)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from booker import roles
from shop import demo
from tests.factories import UserFactory, user_with_role
from tests.shop.test_storefront import SITE_HEADER, text

Product = get_model("catalogue", "Product")
ProductReview = get_model("reviews", "ProductReview")

OSCAR_CSS = "oscar/css/styles.css"
SHOP_CSS = Path(settings.BASE_DIR) / "static" / "css" / "shop.css"

pytestmark = pytest.mark.django_db


def assert_in_the_site_design(page: str) -> None:
    assert OSCAR_CSS not in page
    assert "css/booke.css" in page and "css/shop.css" in page
    assert page.count(SITE_HEADER) == 1
    assert page.count('role="search"') == 1  # the header's, no second one from Oscar
    assert "navbar-toggler" not in page and "basket-mini" not in page
    assert 'class="site-footer"' in page


@pytest.fixture
def print_child(catalogue):
    return Product.objects.get(upc=demo.print_upc("20x30", "lustre"))


def test_catalogue_product_and_basket_pages_use_the_site_design_without_bootstrap(
        client, print_child):
    client.post(reverse("basket:add", kwargs={"pk": print_child.pk}), {"quantity": 1})

    for url in ("/shop/catalogue/", print_child.get_absolute_url(), reverse("basket:summary")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_in_the_site_design(text(response))


def test_checkout_pages_have_the_site_header_and_its_steps(client, print_child):
    client.force_login(UserFactory())
    client.post(reverse("basket:add", kwargs={"pk": print_child.pk}), {"quantity": 1})

    response = client.get(reverse("checkout:shipping-address"))

    assert response.status_code == 200
    page = text(response)
    assert_in_the_site_design(page)
    assert "nav-checkout" in page  # the steps stay, under the site's header
    assert "1. Adresse de livraison" in page


def test_account_pages_under_accounts_use_the_site_design(client):
    client.force_login(UserFactory())

    response = client.get(reverse("customer:order-list"))

    assert response.status_code == 200
    assert_in_the_site_design(text(response))


def test_the_dashboard_keeps_oscars_own_stylesheet(client):
    client.force_login(user_with_role(roles.SHOP_MANAGER))

    page = text(client.get(reverse("dashboard:index")))

    assert "oscar/css/dashboard.css" in page  # Oscar's own (Bootstrap) look, as it was
    assert "css/shop.css" not in page


def test_the_product_page_has_no_technical_table(client, print_child):
    page = text(client.get(print_child.get_absolute_url()))

    assert "24,00 €" in page  # the price, once, VAT included
    assert "20,00 €" not in page  # …and not again excluding VAT
    for technical in ("<th>UPC</th>", f"<td>{demo.print_upc('20x30', 'lustre')}</td>",
                      "Prix HT", "Prix TTC",
                      "Informations sur le produit", "Nombre d'avis", "Nombre d&#x27;avis"):
        assert technical not in page, technical


def test_reviews_show_on_a_product_page_only_when_it_has_some(client):
    product = create_product(title="Album lin", price=Decimal("120.00"), num_in_stock=5)

    without = text(client.get(product.get_absolute_url()))
    ProductReview.objects.create(product=product, user=UserFactory(), score=4, title="Superbe",
                                 body="Un bel album.", status=ProductReview.APPROVED)
    product.update_rating()
    with_one = text(client.get(product.get_absolute_url()))

    assert 'id="reviews"' not in without
    assert "star-rating" not in without
    assert 'id="reviews"' in with_one
    assert "Superbe" in with_one
    assert 'class="star-rating Four"' in with_one


def test_product_cards_show_stars_only_for_rated_products(client, catalogue):
    page = text(client.get("/shop/catalogue/"))

    assert "product_pod" in page
    assert "star-rating" not in page  # the demo has no review: no row of empty stars


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_prices_read_with_wcag_aa_contrast_on_the_card_and_the_page():
    css = SHOP_CSS.read_text()
    colour = re.search(r"\.price_color \{ color: (#[0-9a-fA-F]{6})", css).group(1)
    paper = re.search(r"--paper: (#[0-9a-fA-F]{6})",
                      (SHOP_CSS.parent / "booke.css").read_text()).group(1)

    assert contrast(colour, "#ffffff") >= 4.5  # on a card
    assert contrast(colour, paper) >= 4.5  # on the page
    assert contrast("#3c9e47", "#ffffff") < 4.5  # Oscar's green, which the issue measured
