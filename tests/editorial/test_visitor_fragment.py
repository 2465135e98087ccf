"""The visitor fragment (editorial/site/views.py): what of a page the page cache served shared
is the visitor's own — their header with their basket's count, their forms' CSRF token, who
they comment as — each person's and nobody else's, never kept by any cache."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import create_product
from wagtail.models import Page, Site

from editorial.comments.models import Comment
from editorial.models import BlogIndexPage, BlogPostPage, HomePage
from tests.factories import UserFactory
from tests.shop.prints import basket_of

pytestmark = pytest.mark.django_db

# Measured on SQLite: 5 for a logged-in person with a basket: their session and user, their
# permissions (twice: the middleware's second-factor and session-limit checks, on every request
# of theirs), the basket's count (one SUM: Oscar's basket is neither loaded nor offered).
FRAGMENT_MAX_QUERIES = 5


@pytest.fixture(autouse=True)
def _page_cache_on(page_cache):
    """The page cache on, in a memory cache of this test's own (tests/conftest.py)."""


@pytest.fixture
def post() -> BlogPostPage:
    home = Page.get_first_root_node().add_child(instance=HomePage(title="Accueil", slug="accueil"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    journal = home.add_child(instance=BlogIndexPage(title="Journal", slug="journal"))
    post = journal.add_child(instance=BlogPostPage(title="Un billet", slug="billet"))
    post.save_revision().publish()
    return post


def _person_with_items(first_name: str, email: str, items: int):
    person = UserFactory(first_name=first_name, last_name="", email=email)
    if items:
        product = create_product(price=Decimal("12.00"), num_in_stock=10)
        basket_of(person).add_product(product, items)
    return person


def _bits(client: Client) -> dict:
    answer = client.get(reverse("visitor"))
    assert answer.status_code == 200
    return answer.json()


def test_two_people_each_read_their_own_name_and_basket_count(post):
    lea = Client()
    lea.force_login(_person_with_items("Léa", "lea@example.test", 2))
    hugo = Client()
    hugo.force_login(_person_with_items("Hugo", "hugo@example.test", 5))
    # The same stored page for both, and for the anonymous visitor who stored it.
    Client().get(post.url)
    assert lea.get(post.url).content == hugo.get(post.url).content

    lea_bits, hugo_bits = _bits(lea), _bits(hugo)

    assert lea_bits["personal"] and hugo_bits["personal"]
    assert lea_bits["commenting_as"] == "Vous commentez en tant que Léa."
    assert hugo_bits["commenting_as"] == "Vous commentez en tant que Hugo."
    assert '<span aria-hidden="true">2</span>' in lea_bits["account_nav"]
    assert '<span aria-hidden="true">5</span>' in hugo_bits["account_nav"]
    assert "5</span>" not in lea_bits["account_nav"]
    assert reverse("logout") in lea_bits["account_nav"]
    assert lea_bits["csrf_token"] and hugo_bits["csrf_token"]


def test_the_fragment_is_kept_by_no_cache(post):
    person = Client()
    person.force_login(UserFactory())

    answer = person.get(reverse("visitor"))
    again = person.get(reverse("visitor"))

    for reply in (answer, again):
        assert "X-Cache" not in reply  # outside the page cache's paths
        directives = {d.strip() for d in reply["Cache-Control"].split(",")}
        assert {"private", "no-cache", "no-store"} <= directives
        assert "Cookie" in reply["Vary"]


def test_an_anonymous_visitor_without_a_basket_gets_nothing_personal_and_no_token(post, client):
    bits = _bits(client)

    assert bits == {
        "personal": False,
        "account_nav": bits["account_nav"],
        "csrf_token": "",
        "commenting_as": "",
    }
    assert reverse("login") in bits["account_nav"]
    assert "basket-count" not in bits["account_nav"]


def test_the_fragment_costs_a_bounded_number_of_queries(post):
    person = Client()
    person.force_login(_person_with_items("Léa", "lea@example.test", 2))
    _bits(person)  # the basket and the session as they are after a first page

    with CaptureQueriesContext(connection) as queries:
        _bits(person)

    assert len(queries) <= FRAGMENT_MAX_QUERIES, "\n".join(q["sql"][:120] for q in queries)


def test_a_logged_in_person_comments_from_the_shared_page_with_the_fragments_token(post):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory(first_name="Léa"))
    Client().get(post.url)
    page = browser.get(post.url)
    assert page["X-Cache"] == "hit"
    assert "csrfmiddlewaretoken" not in page.text
    form = {"body": "Superbe lumière", "notify_replies": "on"}

    refused = browser.post(reverse("comments:post", args=[post.pk]), form)
    sent = browser.post(reverse("comments:post", args=[post.pk]),
                        {**form, "csrfmiddlewaretoken": _bits(browser)["csrf_token"]})

    assert refused.status_code == 403
    assert sent.status_code == 302
    assert Comment.objects.get().body == "Superbe lumière"


def test_a_personal_page_header_shows_the_basket_count(post):
    person = Client()
    person.force_login(_person_with_items("Léa", "lea@example.test", 3))

    page = person.get(reverse("basket:summary"))

    assert '<span aria-hidden="true">3</span>' in page.text
    assert ", 3 articles" in page.text  # what a screen reader reads after "Panier"
