"""Issue 19 end to end: the client opens their delivered photos (the photos themselves, never
the watermarked proofs), shares them with family; a logged-out browser opens the link and
sees them; the client revokes it; the visitor then gets the "closed" page."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_no_csp_violation, watch_csp
from tests.browser.test_booker_paths import log_in


def _shot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("BOOKE_SHOTS")
    if keep:  # a person looks at them
        shutil.copy(path, Path(keep) / path.name)


def _no_overflow(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_client_sees_shares_and_revokes_their_delivered_photos(
        phone, browser, serial_live_server, tmp_path):
    from django.urls import reverse

    from booker.models import FinalPhoto
    from tests.booker.factories_studio import delivered_session
    from tests.factories import PASSWORD

    session, _ = delivered_session(3)
    finals = list(FinalPhoto.objects.filter(job__session=session))

    phone.goto("/accounts/login/")
    log_in(phone, session.client.email, PASSWORD)
    phone.goto(reverse("portal:session", args=[session.pk]))
    grid = phone.locator("[data-delivered] img")
    expect(grid).to_have_count(3)
    sources = grid.evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))")
    assert sorted(sources) == sorted(reverse("portal:final-screen", args=[f.pk]) for f in finals)
    assert not any("proof" in s or "thumb" in s for s in sources)
    expect(phone.get_by_role("link", name="HD").first).to_be_visible()
    expect(phone.get_by_role("link", name="Web").first).to_be_visible()
    _no_overflow(phone)
    _shot(phone, tmp_path, "delivered-phone")

    # The lightbox shows the unwatermarked photo, full screen.
    phone.locator("[data-delivered] a.delivered-open").first.click()
    dialog = phone.locator("dialog[data-delivered-lightbox]")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-lb-pos]")).to_have_text("1 / 3")
    assert "/ecran.jpg" in dialog.locator("[data-lb-img]").get_attribute("src")
    # A function with the image as its argument, never a string to evaluate: the page's
    # Content-Security-Policy refuses eval while the condition is polled.
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0",
                            arg=dialog.locator("[data-lb-img]").element_handle())
    _shot(phone, tmp_path, "delivered-lightbox-phone")
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_be_hidden()

    phone.get_by_role("button", name="Créer un lien de partage").click()
    url_box = phone.locator("[data-share-url]")
    expect(url_box).to_have_count(1)
    share_url = url_box.input_value()
    assert "/partage/" in share_url
    _shot(phone, tmp_path, "share-created-phone")

    # A logged-out visitor (another browser, no cookie) opens the link.
    visitor_context = browser.new_context(base_url=serial_live_server.url,
                                          viewport={"width": 390, "height": 844},
                                          is_mobile=True, has_touch=True, locale="fr-FR")
    violations = watch_csp(visitor_context)
    visitor = visitor_context.new_page()
    response = visitor.goto(share_url)
    assert response.status == 200
    assert response.headers["x-robots-tag"].startswith("noindex")
    shared = visitor.locator("[data-delivered] img")
    expect(shared).to_have_count(3)
    visitor.wait_for_function("imgs => imgs.every(i => i.complete && i.naturalWidth > 0)",
                              arg=shared.element_handles())
    expect(visitor.get_by_role("link", name="HD")).to_have_count(0)
    expect(visitor.get_by_text("Télécharger")).to_have_count(0)
    _no_overflow(visitor)
    _shot(visitor, tmp_path, "share-visitor-phone")

    # The client revokes it: the visitor's next visit is the "closed" page, a 410.
    phone.get_by_role("button", name="Révoquer").click()
    expect(phone.locator("[data-share-url]")).to_have_count(0)
    response = visitor.goto(share_url)
    assert response.status == 410
    expect(visitor.get_by_role("heading", name="Ce lien est fermé")).to_be_visible()
    _shot(visitor, tmp_path, "share-closed-phone")
    visitor_context.close()
    assert_no_csp_violation(violations)
    # The same page on a desktop screen, for a person to look at.
    phone.set_viewport_size({"width": 1280, "height": 900})
    phone.reload()
    _shot(phone, tmp_path, "delivered-desktop")
