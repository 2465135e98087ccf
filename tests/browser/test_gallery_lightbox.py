"""A gallery's photos open full screen on a phone: arrows and swipes go through them, Esc or
the close button brings the visitor back to the grid."""

import pytest
from playwright.sync_api import expect

from editorial.models import GalleryPhoto
from tests.editorial.trees import build_tree, picture


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_on_a_phone_goes_through_a_gallery_in_the_lightbox(phone):
    tree = build_tree()
    gallery = tree.gallery
    gallery.photos = [
        GalleryPhoto(image=picture(f"Photo {n}", colour=colour), caption=f"Légende {n}",
                     sort_order=n)
        for n, colour in enumerate(["#a33", "#3a3", "#33a"])
    ]
    gallery.save_revision().publish()

    phone.goto(gallery.url)
    phone.locator("[data-lightbox-item]").nth(1).click()
    dialog = phone.locator("dialog.lightbox")
    expect(dialog).to_be_visible()
    expect(dialog.locator("figcaption")).to_have_text("Légende 1")
    expect(dialog.locator(".lightbox-counter")).to_have_text("2 / 3")

    phone.keyboard.press("ArrowRight")
    expect(dialog.locator("figcaption")).to_have_text("Légende 2")
    phone.keyboard.press("ArrowRight")  # wraps to the first
    expect(dialog.locator("figcaption")).to_have_text("Légende 0")
    phone.keyboard.press("ArrowLeft")
    expect(dialog.locator("figcaption")).to_have_text("Légende 2")
    img = dialog.locator("img")
    large = gallery.photos.all()[2].image.get_rendition("max-1600x1600|format-jpeg")
    expect(img).to_have_attribute("src", large.url)

    phone.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # Focus is back on the photo that opened the lightbox.
    expect(phone.locator("[data-lightbox-item]").nth(1)).to_be_focused()

    phone.locator("[data-lightbox-item]").first.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Photo suivante").click()
    expect(dialog.locator("figcaption")).to_have_text("Légende 1")
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_be_hidden()
