"""Every surface in Chromium under the enforced Content-Security-Policy: a page of each, and
nothing blocked (the `page` fixture fails a test on any violation, tests/browser/conftest.py).
The server-side twin, on production's settings, is tests/booke/test_security_headers.py."""

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import Page

from booker.demo import DEMO_PASSWORD
from booker.models import PhotoSession
from editorial.models import BlogPostPage

Product = get_model("catalogue", "Product")
Order = get_model("order", "Order")


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def visit(page: Page, urls: list[str]) -> None:
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        assert "/accounts/login/" not in page.url, f"{url}: sent to the login page"
        # Scripts, workers and fetches started on load have run.
        page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_blocked_on_the_site_the_shop_and_the_portal(page: Page, demo):
    post = BlogPostPage.objects.live().first()
    product = Product.objects.filter(is_public=True, parent__isnull=True).first()
    session = PhotoSession.objects.filter(client__email="client@booke.test").first()

    visit(page, ["/", post.url, "/shop/catalogue/", product.get_absolute_url()])
    page.locator("#add_to_basket_form button[type=submit]").first.click()
    visit(page, ["/shop/basket/"])
    log_in(page, "client@booke.test")
    visit(page, ["/portal/", *([f"/portal/sessions/{session.pk}/"] if session else [])])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_blocked_in_the_three_back_offices(page: Page, demo):
    post = BlogPostPage.objects.live().first()
    session = PhotoSession.objects.order_by("pk").first()
    product = Product.objects.filter(is_public=True, parent__isnull=True).first()
    order = Order.objects.order_by("pk").first()

    log_in(page, "admin@booke.test")
    visit(page, [
        "/admin/",
        "/admin/booker/photosession/",
        f"/admin/booker/photosession/{session.pk}/studio/",
        "/cms/",
        f"/cms/pages/{post.pk}/edit/",
        "/dashboard/",
        "/dashboard/orders/",
        f"/dashboard/catalogue/products/{product.pk}/",
        *([f"/dashboard/orders/{order.number}/"] if order else []),
    ])  # fmt: skip


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_listener_sees_what_the_policy_blocks(browser, serial_live_server):
    """The watch the other browser tests rely on does see a blocked inline script."""
    from tests.browser.conftest import watch_csp

    context = browser.new_context(base_url=serial_live_server.url)
    violations = watch_csp(context)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    page.wait_for_timeout(300)
    ran = page.evaluate("() => window.ran === true")
    context.close()

    assert not ran
    assert any("script-src" in v for v in violations), violations
