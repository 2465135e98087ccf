"""Security headers (issue 14, finding 8): the production Content-Security-Policy and the
Permissions-Policy on every surface, the nonce on each inline script we keep, the page cache
never sharing a nonce, the policy following S3 and Stripe, SameSite on Oscar's basket cookie.
The browser side (nothing blocked in Chromium under the enforced policy) is
tests/browser/test_csp.py."""

from __future__ import annotations

import importlib
import re
import sys
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from booker.models import PhotoSession, User
from editorial.models import BlogPostPage
from editorial.pagecache.middleware import is_storable

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")
Order = get_model("order", "Order")


def production_settings(monkeypatch) -> object:
    """booke.settings.production, loaded afresh with what it requires from the environment."""
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    monkeypatch.delitem(sys.modules, "booke.settings.production", raising=False)
    return importlib.import_module("booke.settings.production")


@pytest.fixture
def production_policy(settings, monkeypatch):
    """The test client under production's policy (and production's middleware order)."""
    production = production_settings(monkeypatch)
    settings.CONTENT_SECURITY_POLICY = production.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = production.CONTENT_SECURITY_POLICY_REPORT_ONLY
    settings.PERMISSIONS_POLICY = production.PERMISSIONS_POLICY
    settings.MIDDLEWARE = [m for m in production.MIDDLEWARE if "whitenoise" not in m]
    return production


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


class Scripts(HTMLParser):
    """The inline scripts of a page (not data blocks) and its on…= handler attributes."""

    def __init__(self):
        super().__init__()
        self.inline: list[dict] = []
        self.handlers: list[str] = []
        self.javascript_urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") not in (
            "application/json", "application/ld+json", "text/template",
        ):
            self.inline.append(attrs)
        self.handlers += [f"<{tag} {name}>" for name in attrs if name.startswith("on")]
        self.javascript_urls += [
            f"<{tag} {name}>" for name, value in attrs.items()
            if name in ("href", "src", "action") and (value or "").strip().lower()
            .startswith("javascript:")
        ]


@pytest.fixture
def demo():
    call_command("seed_demo", quiet=True)


def surfaces() -> list[tuple[str, str, str | None]]:
    """(what, URL, who) for a page of each surface; who is a demo login's email, or None."""
    post = BlogPostPage.objects.live().first()
    product = Product.objects.filter(is_public=True, parent__isnull=True).first()
    session = PhotoSession.objects.order_by("pk").first()
    order = Order.objects.order_by("pk").first()
    admin = "admin@booke.test"
    pages = [
        ("home", "/", None),
        ("blog post", post.url, None),
        ("catalogue", "/shop/catalogue/", None),
        ("product", product.get_absolute_url(), None),
        ("basket", "/shop/basket/", None),
        ("portal", "/portal/", "client@booke.test"),
        ("admin changelist", "/admin/booker/photosession/", admin),
        ("studio page", f"/admin/booker/photosession/{session.pk}/studio/", admin),
        ("cms dashboard", "/cms/", admin),
        ("cms page edit", f"/cms/pages/{post.pk}/edit/", admin),
        ("shop dashboard", "/dashboard/", admin),
        ("dashboard orders", "/dashboard/orders/", admin),
    ]
    if order is not None:
        pages.append(("dashboard order", f"/dashboard/orders/{order.number}/", admin))
    return pages


def get_as(who: str | None, url: str):
    browser = Client()
    if who:
        browser.force_login(User.objects.get(email=who))
    return browser.get(url)


def test_every_surface_answers_with_productions_enforced_policy_and_permissions_policy(
    demo, production_policy
):
    problems = []
    for what, url, who in surfaces():
        response = get_as(who, url)
        if response.status_code != 200:
            problems.append(f"{what} {url}: {response.status_code}")
            continue
        header = response.get("Content-Security-Policy")
        if not header:
            problems.append(f"{what} {url}: no Content-Security-Policy")
            continue
        policy = directives(header)
        script_src = policy.get("script-src", [])
        if url.startswith("/cms/"):
            # Wagtail's admin, the one exception (wagtail#1288): inline scripts, no nonce.
            if script_src != ["'self'", "'unsafe-inline'"]:
                problems.append(f"{what}: script-src {script_src}")
        elif "'self'" not in script_src or {"'unsafe-inline'", "'unsafe-eval'"} & set(
            script_src
        ):
            problems.append(f"{what}: script-src {script_src}")
        for name in ("object-src", "base-uri", "frame-ancestors", "form-action"):
            if name not in policy:
                problems.append(f"{what}: no {name}")
        if "upgrade-insecure-requests" not in policy:
            problems.append(f"{what}: no upgrade-insecure-requests")
        if "Content-Security-Policy-Report-Only" in response:
            problems.append(f"{what}: report-only in production")
        permissions = response.get("Permissions-Policy", "")
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            if feature not in permissions:
                problems.append(f"{what}: Permissions-Policy lacks {feature}")
    assert problems == []


def test_each_inline_script_carries_its_own_responses_nonce_and_no_page_has_handlers(
    demo, production_policy
):
    """What Chromium would block, seen from the server: an inline script without this
    response's nonce, an on…= attribute, a javascript: URL (tests/browser/test_csp.py loads
    the same pages in the browser)."""
    problems = []
    for what, url, who in surfaces():
        response = get_as(who, url)
        page = Scripts()
        page.feed(response.content.decode())
        nonces = re.findall(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        # Wagtail's admin writes inline scripts that cannot carry a nonce; /cms/ allows them.
        for script in page.inline if not url.startswith("/cms/") else ():
            if not nonces or script.get("nonce") != nonces[0]:
                problems.append(f"{what}: inline script without the nonce {script}")
        problems += [f"{what}: handler {h}" for h in page.handlers]
        problems += [f"{what}: {u}" for u in page.javascript_urls]
    assert problems == []


def test_a_cached_catalogue_page_has_no_inline_script_and_each_answer_its_own_header(
    page_cache, production_policy
):
    # In stock: an unavailable product's page has Oscar's stock-alert form, with a CSRF token.
    product = create_product(title="Tirage", price=10, num_in_stock=5)
    first, second = Client().get(product.get_absolute_url()), Client().get(
        product.get_absolute_url()
    )

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    page = Scripts()
    page.feed(second.content.decode())
    assert page.inline == []
    for answer in (first, second):
        assert "nonce-" not in answer["Content-Security-Policy"]
        assert "script-src 'self'" in answer["Content-Security-Policy"]


def test_a_page_rendered_with_a_nonce_is_never_stored_in_the_page_cache(page_cache, settings):
    """The shop's basket page keeps Oscar's inline onload script (with the nonce); were such a
    page on a cached path, its nonce would be served to every visitor: it is not stored."""
    from booke.headers import BookeCSPMiddleware

    request = RequestFactory().get("/shop/catalogue/")
    BookeCSPMiddleware(lambda r: HttpResponse()).process_request(request)
    response = HttpResponse("<p>page</p>", content_type="text/html")
    assert is_storable(request, response)

    str(request.csp_nonce)  # a template asked for it

    assert not is_storable(request, response)


def test_the_policy_follows_the_s3_bucket_for_part_uploads_and_signed_images(client, settings):
    settings.AWS_STORAGE_BUCKET_NAME = "booke-media"
    settings.AWS_PRIVATE_BUCKET_NAME = "booke-private"
    settings.AWS_S3_ENDPOINT_URL = None
    settings.AWS_S3_ADDRESSING_STYLE = None
    settings.AWS_S3_REGION_NAME = "eu-west-3"
    settings.AWS_S3_CUSTOM_DOMAIN = "media.booke.example"

    policy = directives(client.get("/healthz")["Content-Security-Policy"])

    for origin in (
        "https://booke-private.s3.eu-west-3.amazonaws.com",
        "https://booke-media.s3.eu-west-3.amazonaws.com",
    ):
        assert origin in policy["connect-src"]
        assert origin in policy["img-src"]
    assert "https://media.booke.example" in policy["img-src"]
    assert policy["connect-src"][0] == "'self'"


def test_a_path_style_endpoint_such_as_minio_is_allowed_as_it_is(settings):
    settings.AWS_STORAGE_BUCKET_NAME = "booke"
    settings.AWS_PRIVATE_BUCKET_NAME = "booke"
    settings.AWS_S3_ENDPOINT_URL = "http://127.0.0.1:9000"
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    from booke.headers import storage_origins

    assert storage_origins() == ["http://127.0.0.1:9000"]


def test_without_s3_nothing_but_the_site_itself_is_allowed(client, settings):
    settings.AWS_STORAGE_BUCKET_NAME = ""
    settings.STRIPE_SECRET_KEY = ""
    policy = directives(client.get("/healthz")["Content-Security-Policy"])

    assert policy["connect-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_with_card_payment_the_checkout_form_may_go_on_to_stripe(client, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"

    policy = directives(client.get("/healthz")["Content-Security-Policy"])

    assert policy["form-action"] == ["'self'", "https://checkout.stripe.com"]


def test_dev_reports_the_policy_and_production_enforces_it(monkeypatch):
    monkeypatch.delitem(sys.modules, "booke.settings.dev", raising=False)
    dev = importlib.import_module("booke.settings.dev")
    production = production_settings(monkeypatch)

    assert dev.CONTENT_SECURITY_POLICY is None
    assert dev.CONTENT_SECURITY_POLICY_REPORT_ONLY["DIRECTIVES"]["script-src"]
    assert production.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    assert production.CONTENT_SECURITY_POLICY_REPORT_ONLY is None


def test_the_anonymous_basket_cookie_is_samesite_lax(client):
    product = create_product(title="Tirage", price=10, num_in_stock=5)

    response = client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1})

    cookie = response.cookies["oscar_open_basket"]
    assert cookie.value
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]


def test_permissions_policy_is_on_every_answer_even_a_404(client):
    response = client.get("/nothing-here/")

    assert response.status_code == 404
    assert "camera=()" in response["Permissions-Policy"]
