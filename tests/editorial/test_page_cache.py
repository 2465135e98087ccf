"""The page cache (editorial/pagecache): anonymous pages served from the cache, to logged-in
people and baskets too (their own bits from the visitor fragment: test_visitor_fragment.py),
never a page rendered for one of them, fresh at once after a publish or a price change."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product
from wagtail.models import Page, PageViewRestriction, Site

from editorial.models import BlogIndexPage, BlogPostPage, HomePage
from editorial.pagecache.middleware import SHARED_COOKIE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")


@pytest.fixture(autouse=True)
def _page_cache_on(page_cache):
    """Every test here with the page cache on (tests/conftest.py)."""


@pytest.fixture
def home() -> HomePage:
    home = Page.get_first_root_node().add_child(instance=HomePage(title="Accueil", slug="accueil"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    return home


@pytest.fixture
def journal(home) -> BlogIndexPage:
    journal = home.add_child(instance=BlogIndexPage(title="Journal", slug="journal"))
    journal.save_revision().publish()
    return journal


def _post(journal: BlogIndexPage, title: str = "Un billet", body=(), slug="billet") -> BlogPostPage:
    post = journal.add_child(instance=BlogPostPage(title=title, slug=slug, body=list(body)))
    post.save_revision().publish()
    return post


def test_an_anonymous_page_is_a_miss_then_a_hit_with_the_same_body(journal, client):
    post = _post(journal)

    first = client.get(post.url)
    second = client.get(post.url)

    assert first["X-Cache"] == "miss"
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_the_query_string_is_part_of_the_key(journal, client):
    post = _post(journal)
    client.get(post.url)

    assert client.get(post.url + "?utm_source=x")["X-Cache"] == "miss"
    assert client.get(post.url + "?utm_source=x")["X-Cache"] == "hit"


def test_cacheable_pages_make_browsers_ask_again_and_let_shared_caches_keep_them(
    journal, client, settings
):
    post = _post(journal)

    for answer in (client.get(post.url), client.get(post.url)):
        directives = {d.strip() for d in answer["Cache-Control"].split(",")}
        assert directives == {
            "public",
            "max-age=0",
            f"s-maxage={settings.PAGE_CACHE_S_MAXAGE}",
        }
    assert settings.PAGE_CACHE_S_MAXAGE > 0


def test_a_logged_in_person_never_fills_the_cache(journal, client):
    post = _post(journal)
    client.force_login(UserFactory())

    answer = client.get(post.url)
    assert answer["X-Cache"] == "bypass"
    assert "private" in answer["Cache-Control"] and "no-cache" in answer["Cache-Control"]
    assert "public" not in answer["Cache-Control"]
    assert client.get(post.url)["X-Cache"] == "bypass"

    client.logout()
    client.cookies.clear()
    # Nothing was stored while logged in: the first anonymous request renders.
    assert client.get(post.url)["X-Cache"] == "miss"


def test_a_logged_in_person_is_served_the_anonymous_page_privately_and_told_to_fetch_theirs(
    journal, client, django_assert_num_queries
):
    post = _post(journal)
    stored = client.get(post.url)
    client.force_login(UserFactory(first_name="Léa"))

    with django_assert_num_queries(0):
        answer = client.get(post.url)

    assert answer["X-Cache"] == "hit"
    assert answer.content == stored.content  # the generic header: nobody's name, no log-out form
    assert reverse("logout") not in answer.text
    directives = {d.strip() for d in answer["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= directives and "public" not in directives
    # The cookie that has static/editorial/visitor.js fetch this person's header and token.
    assert answer.cookies[SHARED_COOKIE].value == "1"
    assert not answer.cookies[SHARED_COOKIE]["httponly"]
    assert f'data-visitor="{reverse("visitor")}"' in answer.text


@pytest.mark.parametrize("cookie", ["oscar_open_basket", "sessionid"])
def test_a_basket_or_session_cookie_gets_the_stored_page_shared_and_private(
    journal, client, cookie
):
    post = _post(journal)
    client.get(post.url)
    client.cookies[cookie] = "something"

    answer = client.get(post.url)

    assert answer["X-Cache"] == "hit"
    assert "private" in answer["Cache-Control"]


def test_a_waiting_message_bypasses_the_cache_so_the_page_shows_it(journal, client):
    post = _post(journal)
    client.get(post.url)
    client.cookies["messages"] = "something"

    answer = client.get(post.url)

    assert answer["X-Cache"] == "bypass"
    assert "private" in answer["Cache-Control"]


def test_a_product_page_stored_for_anonymous_visitors_is_rendered_for_a_logged_in_person(
    client, search_index
):
    from shop import demo

    demo.seed(lambda line: None)
    album = Product.objects.get(upc="BK-ALBUM-LIN-30")
    client.get(album.get_absolute_url())
    assert client.get(album.get_absolute_url())["X-Cache"] == "hit"
    client.force_login(UserFactory())

    answer = client.get(album.get_absolute_url())

    # Its wish lists are this person's (ProductDetailView's varies_for_people).
    assert answer["X-Cache"] == "bypass"
    assert reverse("logout") in answer.text


def test_a_publish_shows_on_the_very_next_request(journal, client):
    post = _post(journal, title="Avant la retouche")
    client.get(post.url)
    assert "Avant la retouche" in client.get(post.url).text

    post.title = "Après la retouche"
    post.save_revision().publish()

    answer = client.get(post.url)
    assert answer["X-Cache"] == "miss"
    assert "Après la retouche" in answer.text


def test_a_new_post_appears_at_once_on_the_cached_journal(journal, client):
    _post(journal, title="Premier billet")
    client.get(journal.url)
    assert client.get(journal.url)["X-Cache"] == "hit"

    _post(journal, title="Second billet", slug="second")

    assert "Second billet" in client.get(journal.url).text


def test_an_unpublished_page_is_gone_at_once(journal, client):
    post = _post(journal)
    client.get(post.url)

    post.unpublish()

    assert client.get(post.url).status_code == 404


def test_a_price_change_of_a_product_shown_on_a_cached_page_shows_at_once(journal, client):
    product = create_product(title="Album lin", price=Decimal("100.00"), num_in_stock=5)
    post = _post(journal, body=[{"type": "product", "value": product.pk}])
    assert "100,00" in client.get(post.url).text  # typed TTC
    assert client.get(post.url)["X-Cache"] == "hit"

    record = product.stockrecords.get()
    record.price = Decimal("50.00")
    record.save()

    answer = client.get(post.url)
    assert answer["X-Cache"] == "miss"
    assert "50,00" in answer.text and "100,00" not in answer.text


def test_a_product_withdrawn_from_sale_leaves_the_cached_page_at_once(journal, client):
    product = create_product(title="Album lin", price=Decimal("100.00"), num_in_stock=5)
    post = _post(journal, body=[{"type": "product", "value": product.pk}])
    assert "Album lin" in client.get(post.url).text

    product.is_public = False
    product.save()

    assert "Album lin" not in client.get(post.url).text


def test_a_page_that_renders_a_csrf_token_is_never_stored(rf):
    # The login page renders its form's token: a cache hit would hand one visitor's token to
    # another. It is outside the cached paths anyway; a public page with a form is the case.
    from django.middleware.csrf import get_token
    from django.template.response import TemplateResponse

    from editorial.pagecache.middleware import PageCacheMiddleware

    def view_with_a_form(request):
        get_token(request)
        return TemplateResponse(request, "includes/site_footer.html", {})

    def through_the_stack(request):
        from django.middleware.csrf import CsrfViewMiddleware

        response = CsrfViewMiddleware(view_with_a_form)(request)
        return response

    middleware = PageCacheMiddleware(lambda request: _rendered(through_the_stack(request)))
    for _ in range(2):
        answer = middleware(rf.get("/contact/"))
        assert answer["X-Cache"] == "bypass"
        assert "private" in answer["Cache-Control"]


def _rendered(response):
    if hasattr(response, "render"):
        response.render()
    return response


def test_a_page_that_sets_a_cookie_is_never_stored(rf):
    from django.http import HttpResponse

    from editorial.pagecache.middleware import PageCacheMiddleware

    def view(request):
        response = HttpResponse("<p>bonjour</p>")
        response.set_cookie("who", "you")
        return response

    middleware = PageCacheMiddleware(view)
    assert middleware(rf.get("/x/"))["X-Cache"] == "bypass"
    assert middleware(rf.get("/x/"))["X-Cache"] == "bypass"


def test_password_and_login_restricted_pages_are_never_cached(journal, client):
    secret = _post(journal, title="Mariage privé", slug="prive")
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="fleurs"
    )
    members = _post(journal, title="Réservé", slug="reserve")
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)

    for page in (secret, members):
        for _ in range(2):
            answer = client.get(page.url)
            assert answer["X-Cache"] == "bypass"
            assert "Mariage privé" not in answer.text or answer.status_code != 200


def test_a_restricted_page_seen_after_its_password_is_never_shared(journal, client):
    secret = _post(journal, title="Mariage privé", slug="prive")
    restriction = PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="fleurs"
    )
    client.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.id, secret.id]),
        {"password": "fleurs", "return_url": secret.url},
    )
    assert "Mariage privé" in client.get(secret.url).text

    client.cookies.clear()
    answer = client.get(secret.url)
    assert answer["X-Cache"] == "bypass"
    assert "Mariage privé</h1>" not in answer.text


@pytest.mark.parametrize("path", ["/cms/", "/admin/", "/dashboard/", "/portal/",
                                  "/accounts/login/", "/shop/basket/", "/shop/checkout/"])
def test_back_offices_basket_and_checkout_are_never_cached(client, path, home):
    answer = client.get(path)
    assert "X-Cache" not in answer
    assert "public" not in answer.get("Cache-Control", "")


def test_the_catalogue_is_cached_and_a_price_change_shows_at_once(client, search_index):
    from shop import demo

    demo.seed(lambda line: None)
    url = reverse("catalogue:index")
    first = client.get(url)
    assert first["X-Cache"] == "miss", "the catalogue rendered a per-visitor part"
    assert client.get(url)["X-Cache"] == "hit"
    album = Product.objects.get(upc="BK-ALBUM-LIN-30")
    assert "144,00" in first.text

    record = album.stockrecords.get()
    record.price = Decimal("132.00")
    record.save()

    assert "132,00" in client.get(url).text


def test_an_anonymous_visitor_adds_to_the_basket_from_a_cached_catalogue_page(
    search_index, settings
):
    from django.test import Client

    from shop import demo

    demo.seed(lambda line: None)
    browser = Client(enforce_csrf_checks=True)
    album = Product.objects.get(upc="BK-ALBUM-LIN-30")
    page = browser.get(reverse("catalogue:index"))
    assert "csrfmiddlewaretoken" not in page.text

    added = browser.post(reverse("basket:add", args=[album.pk]), {"quantity": 1})

    assert added.status_code == 302
    assert settings.OSCAR_BASKET_COOKIE_OPEN in browser.cookies
    # The "added to your basket" message shows on the next page, rendered for this visitor;
    # then, with a basket, the shared page, their count from the fragment.
    assert browser.get(reverse("catalogue:index"))["X-Cache"] == "bypass"
    assert browser.get(reverse("catalogue:index"))["X-Cache"] == "hit"
    assert browser.get(reverse("visitor")).json()["personal"] is True


def test_a_logged_in_person_adding_to_the_basket_still_needs_the_csrf_token(search_index):
    from django.test import Client

    from shop import demo

    demo.seed(lambda line: None)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory())
    album = Product.objects.get(upc="BK-ALBUM-LIN-30")

    refused = browser.post(reverse("basket:add", args=[album.pk]), {"quantity": 1})

    assert refused.status_code == 403


class RecordingCDN:
    """A frontend cache backend that remembers what it was asked to purge."""

    purged: list[str] = []

    def __init__(self, params):
        pass

    def invalidates_hostname(self, hostname):
        return True

    def purge(self, url):
        RecordingCDN.purged.append(url)

    def purge_batch(self, urls):
        RecordingCDN.purged.extend(urls)


def test_a_price_change_purges_the_product_and_the_catalogue_from_the_cdn_once_committed(
    settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {"BACKEND": "tests.editorial.test_page_cache.RecordingCDN"}
    }
    RecordingCDN.purged = []
    product = create_product(title="Album lin", price=Decimal("100.00"), num_in_stock=5)
    RecordingCDN.purged = []

    with django_capture_on_commit_callbacks(execute=True):
        record = product.stockrecords.get()
        record.price = Decimal("80.00")
        record.save()
        assert RecordingCDN.purged == []  # not before the commit: the CDN would refetch old rows

    assert any(url.endswith(product.get_absolute_url()) for url in RecordingCDN.purged)
    assert any(url.endswith(reverse("catalogue:index")) for url in RecordingCDN.purged)


def test_without_a_cdn_configured_nothing_is_sent_anywhere(
    settings, django_capture_on_commit_callbacks
):
    assert not settings.WAGTAILFRONTENDCACHE
    RecordingCDN.purged = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        create_product(title="Album lin", price=Decimal("100.00"), num_in_stock=5)
    assert RecordingCDN.purged == []
    assert "wagtail.contrib.frontend_cache" not in settings.INSTALLED_APPS
    assert callbacks  # the page cache's own bump after the commit


def test_each_language_has_its_own_cached_page(journal, client, settings):
    # The site is French only today; the day English is switched on, pages must not mix.
    settings.LANGUAGES = [("fr", "Français"), ("en", "English")]
    post = _post(journal)
    french = client.get(post.url, HTTP_ACCEPT_LANGUAGE="fr")
    assert client.get(post.url, HTTP_ACCEPT_LANGUAGE="fr")["X-Cache"] == "hit"

    english = client.get(post.url, HTTP_ACCEPT_LANGUAGE="en")

    assert english["X-Cache"] == "miss"
    assert english["Content-Language"] == "en" and french["Content-Language"] == "fr"


def test_with_french_only_every_browser_shares_the_french_page(journal, client):
    post = _post(journal)
    client.get(post.url, HTTP_ACCEPT_LANGUAGE="fr")

    english = client.get(post.url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert english["X-Cache"] == "hit"
    assert english["Content-Language"] == "fr"


def test_a_post_is_never_answered_from_the_cache(journal, client):
    post = _post(journal)
    client.get(post.url)

    assert client.post(post.url)["X-Cache"] == "bypass"


def test_an_approved_comment_shows_at_once_on_the_cached_post(journal, client):
    from editorial.comments import services as comments

    post = _post(journal)
    comment = comments.post_comment(
        post, body="Quelle lumière dorée !", name="Camille", email="camille@example.test",
        ip="203.0.113.9",
    ).comment
    client.get(post.url)
    assert client.get(post.url)["X-Cache"] == "hit"

    comments.approve(comment)

    answer = client.get(post.url)
    assert answer["X-Cache"] == "miss"
    assert "Quelle lumière dorée !" in answer.text


def test_the_booking_pages_are_never_served_from_the_cache(client):
    from booker.models import SessionType

    SessionType.objects.create(name="Portrait", slug="portrait")
    for url in ("/reserver/", "/reserver/portrait/"):
        client.get(url)
        again = client.get(url)
        assert again.status_code == 200 and again.get("X-Cache") != "hit"


def test_a_page_embedding_a_session_type_shows_its_new_price_on_the_next_request(home, client):
    from decimal import Decimal

    from booker.models import SessionType

    portrait = SessionType.objects.create(name="Portrait", slug="portrait",
                                          price=Decimal("190"), summary="Une heure au studio.")
    home.body = [("session_type", {"session_type": "portrait", "button_label": ""})]
    home.save_revision().publish()
    first = client.get("/")
    assert "190,00" in first.content.decode() and "/reserver/portrait/" in first.content.decode()
    assert client.get("/")["X-Cache"] == "hit"

    portrait.price = Decimal("210")
    portrait.save()

    again = client.get("/")
    assert again["X-Cache"] == "miss"
    assert "210,00" in again.content.decode()
