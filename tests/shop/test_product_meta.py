"""A product page carries what social networks and search engines read: OpenGraph and Twitter
card meta, and a schema.org Product with its offer, priced with VAT, in the JSON-LD."""

import json
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from booker.mail import absolute_url
from shop import demo
from tests.factories import UserFactory

Product = get_model("catalogue", "Product")
ProductReview = get_model("reviews", "ProductReview")


class Head(HTMLParser):
    """The page's <meta> tags by property or name, and its JSON-LD scripts, parsed."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.json_ld: list[dict] = []
        self._in_json_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content", "")
        self._in_json_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))

    def handle_endtag(self, tag):
        self._in_json_ld = False


def head(client, product) -> Head:
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    return Head(response.content.decode())


def test_an_album_page_describes_its_offer_with_vat_in_json_ld(client, catalogue):
    album = Product.objects.get(upc="BK-ALBUM-LIN-30")

    page = head(client, album)

    [data] = page.json_ld
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["name"] == "Album lin 30×30 cm"
    assert data["sku"] == "BK-ALBUM-LIN-30"
    assert data["url"] == absolute_url(album.get_absolute_url())
    assert data["image"] == [absolute_url(album.primary_image().original.url)]
    offer = data["offers"]
    assert offer["@type"] == "Offer"
    assert offer["price"] == "144.00"  # typed TTC (120.00 excl. VAT)
    assert offer["priceCurrency"] == "EUR"
    assert offer["availability"] == "https://schema.org/InStock"
    assert "aggregateRating" not in data  # no approved review yet


def test_the_print_page_offers_the_range_of_its_variants(client, catalogue):
    prints = Product.objects.get(upc=demo.PRINT_PARENT_UPC)

    [data] = head(client, prints).json_ld

    offer = data["offers"]
    assert offer["@type"] == "AggregateOffer"
    assert offer["lowPrice"] == "24.00"  # 20×30 Lustré, typed TTC
    assert offer["highPrice"] == "246.00"  # 40×60 Baryta in a caisse américaine: 102 + 144
    assert offer["offerCount"] == 15
    assert offer["priceCurrency"] == "EUR"


def test_the_page_carries_opengraph_and_twitter_card_meta(client, catalogue):
    album = Product.objects.get(upc="BK-ALBUM-LIN-30")

    meta = head(client, album).meta

    image = absolute_url(album.primary_image().original.url)
    assert meta["og:type"] == "product"
    assert meta["og:title"] == "Album lin 30×30 cm"
    assert meta["og:description"].startswith("Couverture en lin naturel")
    assert "<p>" not in meta["og:description"]
    assert meta["og:url"] == absolute_url(album.get_absolute_url())
    assert meta["og:image"] == image
    assert meta["product:price:amount"] == "144.00"
    assert meta["product:price:currency"] == "EUR"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:title"] == "Album lin 30×30 cm"
    assert meta["twitter:image"] == image


@pytest.mark.django_db
def test_a_sold_out_product_is_out_of_stock_in_its_offer(client):
    album = create_product(title="Album épuisé", price=Decimal("50.00"), num_in_stock=0)

    [data] = head(client, album).json_ld

    assert data["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert data["offers"]["price"] == "50.00"  # typed TTC


@pytest.mark.django_db
def test_approved_reviews_give_the_product_its_rating(client):
    album = create_product(title="Album", price=Decimal("50.00"), num_in_stock=3)
    for score, status in ((5, ProductReview.APPROVED), (4, ProductReview.APPROVED), (1, 0)):
        ProductReview.objects.create(
            product=album, user=UserFactory(), title="Avis", body="…", score=score, status=status
        )

    [data] = head(client, album).json_ld

    assert data["aggregateRating"]["ratingValue"] == 4.5  # the pending 1/5 does not count
    assert data["aggregateRating"]["reviewCount"] == 2


@pytest.mark.django_db
def test_a_title_cannot_break_out_of_the_json_ld_script(client):
    album = create_product(title="</script><script>alert(1)</script>", price=Decimal("5.00"))

    response = client.get(album.get_absolute_url())

    assert "<script>alert(1)" not in response.content.decode()
    [data] = Head(response.content.decode()).json_ld
    assert data["name"] == "</script><script>alert(1)</script>"
