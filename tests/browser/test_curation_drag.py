"""The curation page's drag and drop (booker/views/curation.py, backoffice.js): a proof dragged
with the mouse, or taken and moved with the keyboard, lands at that place in its set; the
arrows still move one place at a time. The order is read back from the database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from booker import roles
from booker.proofing.selectors import gallery
from tests.booker.factories_studio import proofing_session, rush_ids
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def as_photographer(page: Page) -> None:
    client = Client()
    client.force_login(user_with_role(roles.PHOTOGRAPHER))
    page.goto("/")
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": page.url,
    }])


def order(session) -> list[int]:
    return [card.id for card in gallery(session)]


def wait_for_order(page: Page, session, expected: list[int]) -> None:
    for _ in range(50):
        if order(session) == expected:
            return
        page.wait_for_timeout(100)
    assert order(session) == expected


def test_a_proof_is_moved_with_the_keyboard_or_dragged_with_the_mouse(page):
    session = proofing_session(4, quota=4)
    a, b, c, d = rush_ids(session)
    as_photographer(page)
    page.goto(reverse("admin:booker_photosession_curation", args=[session.pk]))

    # The keyboard: c's handle, Space takes it, ← ← moves it two places, Space puts it down.
    handle = page.locator(f"#proof-{c} [data-drag-handle]")
    expect(handle).to_be_visible()
    handle.focus()
    page.keyboard.press("Space")
    expect(handle).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-curation-live]")).to_contain_text("photo 1 sur 4")
    page.keyboard.press("Space")
    expect(page.locator("[data-curation-live]")).to_contain_text("posée : photo 1 sur 4")
    wait_for_order(page, session, [c, a, b, d])

    # Escape puts a taken proof back where it was, and nothing is sent.
    handle_d = page.locator(f"#proof-{d} [data-drag-handle]")
    handle_d.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Escape")
    expect(page.locator("[data-curation-live]")).to_contain_text("remise à sa place")
    page.wait_for_timeout(300)
    assert order(session) == [c, a, b, d]

    # The mouse: a dropped on the right half of d, so after it.
    box = page.locator(f"#proof-{d}").bounding_box()
    page.locator(f"#proof-{a}").drag_to(page.locator(f"#proof-{d}"),
                                        target_position={"x": box["width"] * 0.8,
                                                         "y": box["height"] / 2})
    wait_for_order(page, session, [c, b, d, a])

    # The arrows still post the form, one place at a time, and the page shows the new order.
    page.locator(f"#proof-{a} button[name=up]").click()
    wait_for_order(page, session, [c, b, a, d])
    ids = page.locator("[data-proof]").evaluate_all("items => items.map(i => +i.dataset.proof)")
    assert ids == [c, b, a, d]
