"""A client orders a print of a delivered photo (issue 6): from the delivered session, the
chooser, a frame dragged over the photo, the basket showing that photo with its crop, Oscar's
checkout paying at the studio, and the order in their account with the photo and its crop."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.factories import PASSWORD


def image_loaded(page: Page, img) -> bool:
    """Whether the image arrived, once the browser had time to fetch it (a slow machine may
    still be loading it when the page is already there)."""
    try:
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=img.element_handle(), timeout=15_000)
    except PlaywrightTimeout:
        return False
    return True


@pytest.fixture
def catalogue(search_index):
    """The shop's demo catalogue only (the whole seed_demo is not needed here)."""
    from shop import demo

    demo.seed(lambda line: None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_client_orders_a_cropped_print_of_a_delivered_photo(page: Page, catalogue, settings):
    from oscar.core.loading import get_model

    from booker.models import FinalPhoto
    from shop.personal import selectors
    from tests.booker.factories_studio import delivered_session
    from tests.shop.prints import basket_of, variant

    settings.STRIPE_SECRET_KEY = ""  # no card: "at the studio / transfer" is offered
    session, _ = delivered_session(2)
    client = session.client

    page.goto(f"/portal/sessions/{session.pk}/")
    page.locator("#id_username").fill(client.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_role("link", name="Commander un tirage").first.click()

    expect(page.get_by_role("heading", name=re.compile("Commander un tirage"))).to_be_visible()
    # Framed on the final itself (its unwatermarked screen copy), not on the rush's proof.
    chosen = FinalPhoto.objects.get(pk=int(re.search(r"/final/(\d+)/", page.url).group(1)))
    tool = page.locator("[data-crop-image]")
    expect(tool).to_have_attribute("src", f"/portal/finals/{chosen.pk}/ecran.jpg")
    assert image_loaded(page, tool)
    assert tool.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [80, 60]
    page.get_by_label("Format et papier").select_option(str(variant("30x45", "lustre").pk))
    page.get_by_label("Portrait").check()
    # The tiny test photo is far too small for a 30×45 print: the chooser says so.
    expect(page.locator("[data-dpi-warning]")).to_be_visible()
    frame = page.locator("[data-crop-frame]")
    before = frame.bounding_box()
    page.mouse.move(before["x"] + before["width"] / 2, before["y"] + before["height"] / 2)
    page.mouse.down()
    page.mouse.move(before["x"] + before["width"] / 2 + 400, before["y"] + before["height"] / 2,
                    steps=5)
    page.mouse.up()
    after = frame.bounding_box()
    assert after["x"] > before["x"] and after["height"] > after["width"]  # moved, portrait
    crop = page.locator("[data-crop-input]").input_value()
    page.get_by_role("button", name="Ajouter au panier").click()

    expect(page).to_have_url(re.compile(r"/shop/basket/$"))
    thumb = page.locator(".print-thumb img")
    expect(thumb).to_have_count(1)
    assert image_loaded(page, thumb)  # the signed link works
    expect(page.locator(".print-thumb-crop")).to_be_visible()

    [line] = basket_of(client).all_lines()
    final = FinalPhoto.objects.filter(job__session=session).order_by("original_filename").first()
    options = selectors.line_options(line)
    assert options["photo"] == final.pk
    assert options["recadrage"] == crop and float(crop.split(",")[0]) > 0

    # On through Oscar's checkout: a print of the client's own photo is handed over at the
    # studio, so no address and no postage are asked; paying at the studio.
    page.goto("/shop/checkout/")
    expect(page).to_have_url(re.compile(r"/shop/checkout/payment-method/$"))
    page.get_by_label("Au studio ou par virement").check()
    page.locator("#payment-method-continue").click()
    expect(page.locator("#preview-payment")).to_contain_text("Au studio ou par virement")
    page.locator("#place-order").click()
    expect(page).to_have_url(re.compile(r"/shop/checkout/thank-you/$"))

    # Mon compte → commandes → the order: the print line with the photo and its crop.
    Order = get_model("order", "Order")
    order = Order.objects.get()
    page.goto("/shop/accounts/orders/")
    page.get_by_role("link", name=order.number).click()
    printed = page.locator(".order-print")
    expect(printed).to_have_count(1)
    thumb = printed.locator(".print-thumb img")
    expect(thumb).to_have_attribute("alt", final.job.rush.original_filename)
    assert image_loaded(page, thumb)
    drawn = printed.locator(".print-thumb-crop")
    expect(drawn).to_be_visible()
    left = selectors.Crop.parse(crop).as_percent()["left"]
    expect(drawn).to_have_attribute("style", re.compile(rf"left:{re.escape(str(left))}%"))

    [ordered] = order.lines.all()
    assert order.user == client
    assert ordered.product == variant("30x45", "lustre")
    ordered_options = selectors.line_options(ordered)
    assert ordered_options["photo"] == final.pk
    assert ordered_options["recadrage"] == crop


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_orders_a_print_of_a_gallery_photo_framed_on_that_photo(
    phone: Page, catalogue, tmp_path
):
    from editorial import demo as editorial_demo
    from editorial.models import GalleryPhoto
    from shop.personal import selectors
    from tests.shop.prints import variant

    editorial_demo.seed(lambda line: None)
    photo = GalleryPhoto.objects.filter(print_product__isnull=False).select_related(
        "image", "page").first()
    assert photo is not None, "the demo sells a gallery photo as a print"
    image = photo.image

    phone.goto(photo.page.url)
    phone.get_by_role("link", name="Commander ce tirage").first.click()
    expect(phone.get_by_role("heading", name=re.compile("Commander un tirage"))).to_be_visible()
    tool = phone.locator("[data-crop-image]")
    # The photo itself (the gallery's large rendition), not the print product's placeholder.
    expect(tool).to_have_attribute("src", image.get_rendition("max-1600x1600|format-jpeg").url)
    assert image_loaded(phone, tool)
    form = phone.locator("[data-print-chooser]")
    expect(form).to_have_attribute("data-pixel-width", str(image.width))
    shape = "portrait" if image.height > image.width else "landscape"
    expect(phone.get_by_label("Portrait" if shape == "portrait" else "Paysage")).to_be_checked()
    phone.get_by_label("Format et papier").select_option(str(variant("20x30", "lustre").pk))
    frame = phone.locator("[data-crop-frame]").bounding_box()
    assert (frame["height"] > frame["width"]) == (shape == "portrait")
    phone.screenshot(path=str(tmp_path / "gallery-print-390.png"), full_page=True)
    phone.get_by_role("button", name="Ajouter au panier").click()

    expect(phone).to_have_url(re.compile(r"/shop/basket/$"))
    thumb = phone.locator(".print-thumb img")
    expect(thumb).to_have_count(1)
    assert image_loaded(phone, thumb)
    phone.screenshot(path=str(tmp_path / "gallery-basket-390.png"), full_page=True)
    # To look at them: BOOKE_SCREENSHOTS=/some/dir keeps a copy.
    if os.environ.get("BOOKE_SCREENSHOTS"):
        for name in ("gallery-print-390.png", "gallery-basket-390.png"):
            shutil.copy(tmp_path / name, Path(os.environ["BOOKE_SCREENSHOTS"]) / name)

    from oscar.core.loading import get_model

    [line] = get_model("basket", "Line").objects.all()
    assert selectors.line_options(line)["image"] == f"galerie-{photo.pk}"
    assert line.product == variant("20x30", "lustre")
