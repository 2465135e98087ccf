"""/sitemap.xml lists what a visitor may open, pages and shop alike; /robots.txt keeps crawlers
out of the back offices and the purchase funnel, and points at the sitemap."""

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from oscar.core.loading import get_model
from wagtail.models import PageViewRestriction

from booker.mail import absolute_url
from editorial.models import BlogIndexPage, BlogPostPage, HomePage
from shop import demo as shop_demo

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def site_and_shop(seeded, search_index):
    shop_demo.seed(lambda line: None)


def _locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.findall("sm:url/sm:loc", NS)]


def test_sitemap_lists_published_pages_and_public_products_and_categories(site_and_shop, client):
    locations = _locations(client)
    post = BlogPostPage.objects.live().first()
    assert HomePage.objects.get().full_url in locations
    assert post.full_url in locations
    product = Product.objects.browsable().first()
    assert absolute_url(product.get_absolute_url()) in locations
    category = Category.objects.browsable().first()
    assert absolute_url(category.get_absolute_url()) in locations


def test_sitemap_leaves_out_drafts_private_pages_and_hidden_products(site_and_shop, client):
    journal = BlogIndexPage.objects.get()
    draft = journal.add_child(
        instance=BlogPostPage(title="Brouillon", slug="brouillon", live=False)
    )
    private = BlogPostPage.objects.live().first()
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    hidden = Product.objects.get(upc="BK-SEANCE-PORTRAIT")
    assert not hidden.is_public

    text = " ".join(_locations(client))
    assert "/brouillon/" not in text
    assert f"/{private.slug}/" not in text
    assert hidden.get_absolute_url() not in text
    assert draft.pk  # the draft exists, only the sitemap leaves it out


def test_robots_disallows_private_areas_and_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    rules = response.text.splitlines()
    for path in [
        "/admin/",
        "/cms/",
        "/dashboard/",
        "/portal/",
        "/shop/basket/",
        "/shop/checkout/",
        "/shop/accounts/",
        "/accounts/",
    ]:
        assert f"Disallow: {path}" in rules
    assert "Disallow: /" not in rules
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in rules


def test_robots_lets_crawlers_read_the_login_page_and_the_basket_but_not_beneath(client):
    rules = client.get("/robots.txt").text.splitlines()

    # Every page links to both; a crawler told not to read them reports blocked links. Google
    # reads the most specific rule: these Allow lines win over Disallow: /accounts/ and
    # Disallow: /shop/basket/, and $ keeps the pages under them (saved baskets…) disallowed.
    assert "Allow: /accounts/login/$" in rules
    assert "Allow: /shop/basket/$" in rules
    assert "Allow: /accounts/" not in rules and "Allow: /shop/basket/" not in rules
    assert rules.index("Allow: /accounts/login/$") < rules.index("Disallow: /accounts/")
