"""Every absolute URL the site writes (canonical links, OpenGraph, JSON-LD, feeds, sitemaps,
robots.txt, emails) is on SITE_URL: never the host a request came on, nor the address typed in
Wagtail's Site (localhost out of the box). Routing by host is unchanged."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from wagtail.models import Page, Site, get_page_models

from booker.mail import absolute_url
from editorial.models import BlogIndexPage, BlogPostPage, HistoryPage, HomePage
from editorial.public_url import PublicUrlMixin, site_address
from shop import demo as shop_demo

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")
PUBLIC = "https://studio.example.fr"
# Hosts the test client may use (ALLOWED_HOSTS plus Django's "testserver"), none of them public.
REQUEST_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SITEMAP = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def public(seeded, settings):
    """The demo site, seeded at the default SITE_URL (its Wagtail Site is localhost:8000), then
    served from another address: what the site writes must follow the setting alone."""
    settings.SITE_URL = PUBLIC
    settings.WAGTAILADMIN_BASE_URL = PUBLIC
    assert Site.objects.get(is_default_site=True).root_url != PUBLIC


def _urls_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def _assert_public(urls: list[str]) -> None:
    """Every URL of the site's own is on PUBLIC (others are schema.org's, a network's…)."""
    assert urls
    for url in urls:
        assert not any(f"//{host}" in url for host in REQUEST_HOSTS), url


def _meta(text: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', text)
    assert match, name
    return unescape(match.group(1))


@pytest.mark.parametrize("host", ["testserver", "localhost"])
def test_a_posts_canonical_opengraph_and_json_ld_are_on_site_url(public, host):
    post = BlogPostPage.objects.live().exclude(cover_image=None).first()
    text = Client(HTTP_HOST=host).get(post.url).text

    assert f'<link rel="canonical" href="{PUBLIC}{post.url}">' in text
    assert _meta(text, "property", "og:url") == PUBLIC + post.url
    assert _meta(text, "property", "og:image").startswith(PUBLIC + "/media/")
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    (data,) = [json.loads(script) for script in scripts]
    assert data["url"] == data["mainEntityOfPage"]["@id"] == PUBLIC + post.url
    assert data["image"][0].startswith(PUBLIC + "/media/")
    assert data["publisher"]["logo"]["url"].startswith(PUBLIC + "/media/")
    _assert_public(_urls_in(text))


def test_the_rss_and_atom_feeds_link_to_site_url(public):
    journal = BlogIndexPage.objects.get()
    client = Client(HTTP_HOST="localhost")

    rss = client.get(reverse("blog-feed-rss", args=[journal.pk]))
    channel = ET.fromstring(rss.content).find("channel")
    assert channel.findtext("link") == PUBLIC + journal.url
    links = [item.findtext("link") for item in channel.findall("item")]
    assert links and all(link.startswith(PUBLIC + journal.url) for link in links)
    _assert_public(_urls_in(rss.content.decode()))

    atom = ET.fromstring(client.get(reverse("blog-feed-atom", args=[journal.pk])).content)
    self_link = atom.find("a:link[@rel='self']", ATOM).get("href")
    assert self_link == PUBLIC + reverse("blog-feed-atom", args=[journal.pk])


def test_the_sitemap_lists_pages_products_and_categories_on_site_url(public, search_index):
    shop_demo.seed(lambda line: None)
    response = Client(HTTP_HOST="localhost").get("/sitemap.xml")
    locations = [loc.text for loc in ET.fromstring(response.content).findall("sm:url/sm:loc",
                                                                           SITEMAP)]

    assert PUBLIC + "/" in locations
    assert PUBLIC + BlogPostPage.objects.live().first().url in locations
    assert PUBLIC + Product.objects.browsable().first().get_absolute_url() in locations
    assert any("/categorie/" in loc for loc in locations)  # the journal's own routes
    assert all(loc.startswith(PUBLIC + "/") for loc in locations)


def test_robots_txt_points_at_the_sitemap_on_site_url(public):
    rules = Client(HTTP_HOST="localhost").get("/robots.txt").text.splitlines()
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in rules


def test_a_product_pages_meta_and_json_ld_are_on_site_url(public):
    shop_demo.seed(lambda line: None)
    product = Product.objects.browsable().filter(images__isnull=False).first()
    text = Client(HTTP_HOST="localhost").get(product.get_absolute_url()).text

    assert _meta(text, "property", "og:url") == PUBLIC + product.get_absolute_url()
    assert _meta(text, "property", "og:image").startswith(PUBLIC + "/")
    _assert_public(_urls_in(text))


def test_the_newsletters_email_links_are_on_site_url(public):
    Client(HTTP_HOST="localhost").post(
        "/newsletter/", {"email": "anne@example.test", "consent": "on"}
    )
    (message,) = mail.outbox
    assert f"{PUBLIC}/newsletter/confirm/" in message.body
    assert f"{PUBLIC}/newsletter/unsubscribe/" in message.body
    _assert_public(_urls_in(message.body))


def test_absolute_url_puts_a_path_on_site_url_and_leaves_a_full_url_alone(settings):
    settings.SITE_URL = PUBLIC + "/"
    assert absolute_url("/a/") == PUBLIC + "/a/"
    assert absolute_url("https://bucket.s3.example/p.jpg") == "https://bucket.s3.example/p.jpg"


@pytest.mark.parametrize(
    ("site_url", "address"),
    [
        ("https://studio.example.fr", ("studio.example.fr", 443)),
        ("http://localhost:8000", ("localhost", 8000)),
        ("http://studio.example.fr/", ("studio.example.fr", 80)),
    ],
)
def test_the_default_sites_address_follows_site_url(settings, site_url, address):
    settings.SITE_URL = site_url
    assert site_address() == address
    hostname, port = address
    assert Site(hostname=hostname, port=port).root_url == site_url.rstrip("/")


def test_the_demo_seed_puts_the_default_site_at_site_url(db, settings, seed_log):
    from editorial import demo

    settings.SITE_URL = PUBLIC
    demo.seed(seed_log.append)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("studio.example.fr", 443)
    assert site.root_url == PUBLIC
    # Requests on other hosts still reach it, as the default site.
    assert Client().get(BlogPostPage.objects.live().first().url).status_code == 200


def test_a_second_site_keeps_its_own_address_and_its_own_routing(public, settings):
    other_home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Autre studio", slug="autre-studio")
    )
    other_page = other_home.add_child(instance=HistoryPage(title="Notre histoire", slug="notre"))
    Site.objects.create(hostname="127.0.0.1", port=80, root_page=other_home)
    post = BlogPostPage.objects.live().first()

    assert other_page.full_url == "http://127.0.0.1/notre/"
    # With two sites, Wagtail's url is the full one: on SITE_URL for the default site's pages.
    assert post.full_url == post.url == PUBLIC + post.get_url_parts()[2]
    response = Client(HTTP_HOST="127.0.0.1").get("/notre/")
    assert response.status_code == 200 and "Notre histoire" in response.text
    assert Client(HTTP_HOST="localhost").get("/notre/").status_code == 404


def test_every_page_model_of_the_site_takes_its_address_from_site_url():
    ours = [model for model in get_page_models() if model.__module__.startswith("editorial.")]
    assert ours
    assert [m.__name__ for m in ours if not issubclass(m, PublicUrlMixin)] == []
