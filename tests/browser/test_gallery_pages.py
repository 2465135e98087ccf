"""A wedding's gallery on a phone (issue 19): the first cards come with the page, the next ones
arrive as the client scrolls, a photo of the second page is picked and counted, the lightbox
goes on past the loaded cards; the photographer's sets and cover are shown."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

PASSWORD = "galerie-150-photos"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_150_proof_gallery_loads_as_the_client_scrolls_and_picks_on_page_2(
        phone, serial_live_server, tmp_path):
    from bench.gallery import fill_gallery
    from booker.proofing import curation
    from booker.proofing.selectors import gallery
    from tests.booker.factories_studio import proofing_session, rush_ids

    session = proofing_session(6, quota=500, title="Mariage Léa & Hugo")
    ids = rush_ids(session)
    curation.assign_set(session, ids[:3], "Cérémonie")
    curation.assign_set(session, ids[3:], "Soirée")
    curation.choose_cover(session, ids[1])
    fill_gallery(session, 150)
    client = session.client
    client.set_password(PASSWORD)
    client.save()
    names = [card.filename for card in gallery(session)]
    picked = sum(1 for card in gallery(session) if card.picked)

    phone.goto("/accounts/login/")
    phone.locator("#id_username").fill(client.email)
    phone.locator("#id_password").fill(PASSWORD)
    phone.locator("main form button[type=submit]").click()
    phone.goto(f"/portal/sessions/{session.pk}/")
    cards = phone.locator("[data-photo]")
    expect(cards).to_have_count(60)
    expect(phone.locator(".gallery-cover img")).to_be_visible()
    expect(phone.locator(".set-title h3")).to_have_text(["Cérémonie", "Soirée", "Autres photos"])
    phone.screenshot(path=str(tmp_path / "gallery-top.png"))

    # Scrolling down brings the next cards, without a click, until all 150 are there.
    phone.locator("[data-pager]").scroll_into_view_if_needed()
    expect(cards).to_have_count(120)
    phone.locator("[data-pager]").scroll_into_view_if_needed()
    expect(cards).to_have_count(150)
    expect(phone.locator("[data-pager] [data-next]")).to_have_count(0)
    assert [cards.nth(i).get_attribute("data-name") for i in (0, 59, 60, 149)] == [
        names[0], names[59], names[60], names[149]]

    # A photo of page 2, picked: counted in the server's total.
    name = next(n for i, n in enumerate(names[60:120], start=60)
                if cards.nth(i).get_attribute("data-picked") == "false")
    heart = phone.get_by_role("button", name=f"Choisir {name}", exact=True)
    heart.click()
    expect(heart).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("[data-count=picked]")).to_have_text(str(picked + 1))

    # The lightbox goes on past the page's last card: the next page is fetched.
    phone.reload()
    expect(cards).to_have_count(60)
    phone.locator(f"[data-photo][data-name='{names[59]}'] .photo-open").click()
    lightbox = phone.locator("dialog[data-lightbox]")
    expect(lightbox.locator("[data-lb-name]")).to_have_text(names[59])
    expect(lightbox.locator("[data-lb-pos]")).to_have_text("60 sur 150")
    phone.keyboard.press("ArrowRight")
    expect(lightbox.locator("[data-lb-name]")).to_have_text(names[60])
    expect(lightbox.locator("[data-lb-pos]")).to_have_text(re.compile(r"^61 sur 150$"))
