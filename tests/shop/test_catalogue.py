"""The catalogue as a visitor browses it: categories, pictures, search, and prices with VAT in
euros, written the French way (recently viewed products: test_product_history.py)."""

from django.urls import reverse
from oscar.core.loading import get_model

from shop import demo
from tests.shop.test_storefront import text

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")


def test_a_category_lists_its_products_and_no_other(client, catalogue):
    albums = Category.objects.get(name=demo.ALBUMS)

    page = text(client.get(albums.get_absolute_url()))

    assert "Album lin 30×30 cm" in page
    assert "Album accordéon 15×15 cm" in page
    assert "Carte cadeau" not in page
    assert "Clé USB" not in page
    # Prices with VAT, in euros, French style: 144.00 typed TTC → 144,00 €.
    assert "144,00 €" in page
    assert "54,00 €" in page


def test_the_accessories_category_holds_the_usb_key(client, catalogue):
    accessories = Category.objects.get(name=demo.ACCESSORIES)
    key = Product.objects.get(upc="BK-CLE-USB-BOIS")

    page = text(client.get(accessories.get_absolute_url()))

    assert key.get_product_class().name == "Produit"
    assert "Clé USB en bois gravée" in page
    assert "30,00 €" in page  # 25.00 + 20 %, typed 30.00 TTC


def test_the_product_page_shows_its_picture_and_its_price_with_vat(client, catalogue):
    album = Product.objects.get(upc="BK-ALBUM-LIN-30")

    response = client.get(album.get_absolute_url())

    page = text(response)
    assert album.primary_image().original.url in page
    assert '<p class="price_color">144,00 €</p>' in page
    assert "120,00 €" not in page  # a French shop shows the price with VAT only: no HT table


def test_a_framed_print_variant_costs_its_print_and_its_frame_with_vat(client, catalogue):
    framed = Product.objects.get(upc=demo.print_upc("40x60", "baryta", "mat", "caisse-americaine"))

    page = text(client.get(framed.get_absolute_url()))

    assert "Tirage d&#x27;art 40×60 cm — Fine Art Baryta, mat, caisse américaine" in page
    assert '<p class="price_color">246,00 €</p>' in page  # 102.00 + 144.00, both TTC
    assert "Caisse américaine" in page  # its framing, in the product information table


def test_search_finds_products_by_a_word_of_their_title(client, catalogue):
    response = client.get(reverse("search:search"), {"q": "album"})

    assert response.status_code == 200
    found = {result.object.upc for result in response.context["page_obj"].object_list}
    assert found == {"BK-ALBUM-LIN-30", "BK-ALBUM-ACCORDEON-15"}
    assert "144,00 €" in text(response)


def test_search_leaves_out_products_not_sold_in_the_catalogue(client, catalogue):
    response = client.get(reverse("search:search"), {"q": "séance"})

    found = {result.object.upc for result in response.context["page_obj"].object_list}
    assert "BK-SEANCE-PORTRAIT" not in found



def test_the_shops_search_finds_a_word_typed_without_its_accents(client, catalogue):
    # "Album accordéon 15×15 cm", typed on a phone without the accent.
    response = client.get(reverse("search:search"), {"q": "accordeon"})

    found = {result.object.upc for result in response.context["page_obj"].object_list}
    assert found == {"BK-ALBUM-ACCORDEON-15"}
