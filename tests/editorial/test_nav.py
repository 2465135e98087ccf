"""The main menu by default (no items in the "Menus" setting): the home page's live children
marked "show in menus", then the shop. Items set by editors: see test_site_settings.py."""

import re

import pytest
from django.urls import reverse

from editorial.models import BlogIndexPage, HistoryPage, HomePage

pytestmark = pytest.mark.django_db


def menu(html: str) -> list[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", nav)]


@pytest.mark.slow
def test_nav_lists_the_menu_pages_in_tree_order_then_the_shop(seeded, client):
    assert menu(client.get("/").text) == [
        "Journal", "Notre histoire", "Galeries", "Contact", "Boutique"
    ]


@pytest.mark.slow
def test_nav_leaves_out_pages_hidden_from_menus_or_unpublished(seeded, client):
    home = HomePage.objects.get()
    hidden = HistoryPage(title="Mentions légales", slug="mentions-legales", show_in_menus=False)
    home.add_child(instance=hidden)
    BlogIndexPage.objects.get().unpublish()
    assert menu(client.get("/").text) == ["Notre histoire", "Galeries", "Contact", "Boutique"]


@pytest.mark.slow
def test_nav_marks_the_section_of_the_current_page(seeded, client):
    post_url = BlogIndexPage.objects.get().get_children().first().url
    html = client.get(post_url).text
    assert re.search(r'<a href="/journal/" aria-current="page">Journal</a>', html)


def test_nav_works_before_the_demo_is_seeded(client):
    # Wagtail's welcome page is the site root: no menu pages yet, the shop link still there.
    assert menu(client.get(reverse("login")).text) == ["Boutique"]
