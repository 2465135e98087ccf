"""The studio's details and the menus, edited in Wagtail's settings, in the header, the footer
and the main menu; kept in the cache and purged when editors change something."""

import re

import pytest
from django.test import RequestFactory
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, Site

from booker import roles
from editorial.models import HistoryPage, HomePage
from editorial.site import selectors
from editorial.site.models import (
    FooterLink,
    LegalLink,
    LegalPage,
    MenuItem,
    NavigationSettings,
    StudioSettings,
)
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(db) -> HomePage:
    """A bare site: a home page with two pages in the menu (no demo seed: it is slow)."""
    home = Page.get_first_root_node().add_child(instance=HomePage(title="Accueil", slug="accueil"))
    Site.objects.filter(is_default_site=True).update(root_page=home)
    for title, slug in (("Notre histoire", "notre-histoire"), ("Tarifs", "tarifs")):
        home.add_child(instance=HistoryPage(title=title, slug=slug, show_in_menus=True))
    return home


@pytest.fixture
def site(home) -> Site:
    return Site.objects.get(is_default_site=True)


def menu(html: str) -> list[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", nav)]


def footer(html: str) -> str:
    return re.search(r'<footer class="site-footer">.*?</footer>', html, re.S).group(0)


def test_footer_shows_the_address_siret_and_only_the_filled_in_social_networks(site, client):
    StudioSettings.objects.create(
        site=site, name="Studio Lumen", address="3 place Bellecour\n69002 Lyon",
        phone="04 00 00 00 00", siret="123 456 789 00012",
        instagram="https://instagram.example/lumen", facebook="",
    )
    html = footer(client.get("/").text)
    assert "3 place Bellecour<br>69002 Lyon" in html
    assert "SIRET 123 456 789 00012" in html
    assert '<a href="https://instagram.example/lumen" rel="me noopener">Instagram</a>' in html
    assert "Facebook" not in html and "LinkedIn" not in html


def test_header_shows_the_studio_name_and_its_logo(site, client):
    logo = Image.objects.create(title="Logo", file=get_test_image_file(size=(300, 200)))
    StudioSettings.objects.create(site=site, name="Studio Lumen", logo=logo)
    header = re.search(r"<header class=\"site-header\">.*?</header>", client.get("/").text, re.S)
    assert "Studio Lumen" in header.group(0)
    assert re.search(r'<img src="/media/images/[^"]+height-96[^"]*" alt="" width="72" height="48"',
                     header.group(0))


def test_menu_items_from_the_settings_replace_the_pages_shown_in_menus(home, site, client):
    tarifs = HistoryPage.objects.get(slug="tarifs")
    nav = NavigationSettings(site=site)
    nav.menu_items = [
        MenuItem(link_url="/shop/prints/", label="Tirages", sort_order=1),
        MenuItem(link_page=tarifs, label="Nos tarifs", sort_order=0),
        MenuItem(link_page=Page.objects.get(slug="notre-histoire"), sort_order=2),
    ]
    nav.save()
    html = client.get(tarifs.url).text
    assert menu(html) == ["Nos tarifs", "Tirages", "Notre histoire", "Boutique"]
    assert '<a href="/tarifs/" aria-current="page">Nos tarifs</a>' in html


def test_a_menu_item_to_an_unpublished_page_is_left_out(home, site, client):
    tarifs = HistoryPage.objects.get(slug="tarifs")
    nav = NavigationSettings(site=site)
    nav.menu_items = [MenuItem(link_page=tarifs, sort_order=0),
                      MenuItem(link_url="/shop/", label="Nos tirages", sort_order=1)]
    nav.save()
    tarifs.unpublish()
    assert menu(client.get("/").text) == ["Nos tirages", "Boutique"]


def test_saving_the_menus_replaces_the_cached_menu_at_once(home, site, client):
    assert menu(client.get("/").text) == ["Notre histoire", "Tarifs", "Boutique"]  # now cached
    nav = NavigationSettings(site=site)
    nav.menu_items = [MenuItem(link_url="/journal/", label="Journal", sort_order=0)]
    nav.save()
    assert menu(client.get("/").text) == ["Journal", "Boutique"]


def test_publishing_a_page_updates_the_cached_default_menu(home, client):
    assert menu(client.get("/").text) == ["Notre histoire", "Tarifs", "Boutique"]  # now cached
    page = home.add_child(instance=HistoryPage(title="Galeries", slug="galeries",
                                               show_in_menus=True, live=False))
    page.save_revision().publish()
    assert menu(client.get("/").text) == ["Notre histoire", "Tarifs", "Galeries", "Boutique"]


def test_footer_columns_and_legal_links_come_from_the_settings(home, site, client):
    nav = NavigationSettings(site=site)
    histoire = Page.objects.get(slug="notre-histoire")
    nav.footer_links = [
        FooterLink(column="Le studio", link_page=histoire, sort_order=0),
        FooterLink(column="Boutique", link_url="/shop/", label="Tirages", sort_order=1),
        FooterLink(column="Le studio", link_url="/contact/", label="Nous écrire", sort_order=2),
    ]
    nav.legal_links = [LegalLink(link_url="/mentions-legales/", label="Mentions légales")]
    nav.save()
    html = footer(client.get("/").text)
    columns = re.findall(r"<h2>(.*?)</h2>\s*<ul>(.*?)</ul>", html, re.S)
    assert [(h, re.findall(r">([^<]+)</a>", links)) for h, links in columns] == [
        ("Le studio", ["Notre histoire", "Nous écrire"]),
        ("Boutique", ["Tirages"]),
    ]
    assert '· <a href="/mentions-legales/">Mentions légales</a>' in html


def test_the_chrome_costs_no_query_once_cached(home, site, django_assert_max_num_queries):
    StudioSettings.objects.create(site=site, name="Studio Lumen")
    selectors.site_chrome(RequestFactory().get("/"))
    # What is left is Wagtail finding the request's site.
    with django_assert_max_num_queries(1):
        chrome = selectors.site_chrome(RequestFactory().get("/"))
    assert chrome.name == "Studio Lumen"
    assert [link.label for link in chrome.menu] == ["Notre histoire", "Tarifs"]


def test_editors_edit_the_studio_details_and_the_menus_in_the_cms(site, client):
    client.force_login(user_with_role(roles.EDITOR))
    for model in ("studiosettings", "navigationsettings"):
        response = client.get(f"/cms/settings/editorial_site/{model}/{site.pk}/")
        assert response.status_code == 200, model


def test_a_legal_page_renders_under_the_home_page_and_stays_out_of_the_menu(home, client):
    page = home.add_child(instance=LegalPage(
        title="Mentions légales", slug="mentions-legales", body="<p>Éditeur : Studio Lumen.</p>"
    ))
    response = client.get(page.url)
    assert response.status_code == 200 and "Éditeur : Studio Lumen." in response.text
    assert menu(response.text) == ["Notre histoire", "Tarifs", "Boutique"]
