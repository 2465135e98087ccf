"""The shop as a visitor sees it: the site's header over Oscar's pages, and a print variant
bought through the real views."""

from django.urls import reverse
from oscar.core.loading import get_model

from shop import demo
from tests.factories import UserFactory

Product = get_model("catalogue", "Product")

SITE_HEADER = '<header class="site-header">'


def text(response) -> str:
    """The page as a reader sees it: prices are formatted with (narrow) no-break spaces."""
    return response.content.decode().replace("\u202f", " ").replace("\xa0", " ")


def test_catalogue_lists_the_products_under_the_site_header(client, catalogue):
    response = client.get("/shop/catalogue/")

    assert response.status_code == 200
    page = text(response)
    assert SITE_HEADER in page
    assert "css/shop.css" in page
    for title in ("Tirage d&#x27;art", "Album lin 30×30 cm", "Carte cadeau 120 €"):
        assert title in page
    assert "24,00 €" in page  # the prints, from their cheapest variant, VAT included
    assert "Séance portrait" not in page


def test_the_print_page_offers_its_sizes_smallest_first(client, catalogue):
    parent = Product.objects.get(upc=demo.PRINT_PARENT_UPC)

    page = text(client.get(parent.get_absolute_url()))

    positions = [page.index(f'<option value="{size}"') for _, size in demo.SIZES]
    assert positions == sorted(positions)


def test_an_anonymous_visitor_buys_a_print_variant(client, catalogue):
    child = Product.objects.get(upc=demo.print_upc("20x30", "lustre"))
    add_url = reverse("basket:add", kwargs={"pk": child.pk})

    product_page = client.get(child.get_absolute_url())
    assert product_page.status_code == 200
    assert f'action="{add_url}"' in text(product_page)

    added = client.post(add_url, {"quantity": 1})
    assert added.status_code == 302

    basket = client.get(reverse("basket:summary"))
    assert basket.status_code == 200
    page = text(basket)
    assert SITE_HEADER in page
    assert "Tirage d&#x27;art 20×30 cm — Lustré" in page
    assert "24,00 €" in page  # typed TTC: 20.00 excl. VAT + 20 %


def test_account_and_checkout_pages_still_render(client, catalogue):
    client.force_login(UserFactory())
    album = Product.objects.get(upc="BK-ALBUM-LIN-30")
    client.post(reverse("basket:add", kwargs={"pk": album.pk}), {"quantity": 1})

    account = client.get(reverse("customer:summary"), follow=True)
    assert account.status_code == 200
    assert SITE_HEADER in text(account)

    checkout = client.get(reverse("checkout:shipping-address"))
    assert checkout.status_code == 200
    assert 'class="brand"' in text(checkout)  # checkout keeps its bare header, with our brand
    # One shipping country: Oscar drops the field and ships there.
    assert checkout.context["form"].instance.country.printable_name == "France"
