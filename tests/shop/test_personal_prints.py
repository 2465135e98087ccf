"""Personal prints: a client orders a print of a delivered photo, with a crop, and the basket
and the order show that photo; nobody else can print it or see it."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from oscar.core.loading import get_class

from booker.models import FinalPhoto
from shop.demo import PRINT_PARENT_UPC
from shop.personal import selectors
from shop.personal.selectors import Crop, PrintVariant
from tests.booker.factories_studio import delivered_session
from tests.factories import UserFactory
from tests.shop.prints import Basket, Product, Selector, basket_of, place_order, variant

AddToBasketForm = get_class("basket.forms", "AddToBasketForm")

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(catalogue):
    session, _ = delivered_session(2)
    final = FinalPhoto.objects.filter(job__session=session).order_by("pk").first()
    return session, final


def chooser_url(final) -> str:
    return reverse("personal:final", args=[final.pk])


def thumb_urls(html: str) -> list[str]:
    return re.findall(r'src="(/shop/prints/vignette/[^"]+)"', html)


def test_the_delivered_page_links_each_final_to_the_print_chooser(client, delivered):
    session, final = delivered
    client.force_login(session.client)
    html = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    assert chooser_url(final) in html
    assert "Commander un tirage" in html


def test_the_chooser_offers_the_print_variants_over_the_final_itself(client, delivered):
    session, final = delivered
    client.force_login(session.client)
    response = client.get(chooser_url(final))
    html = response.content.decode()
    assert response.status_code == 200
    # Framed on the final's unwatermarked screen copy, never on the rush's watermarked proof.
    assert f'src="{reverse("portal:final-screen", args=[final.pk])}"' in html
    assert reverse("portal:rush-proof", args=[final.job.rush_id]) not in html
    variants = Product.objects.get(upc=PRINT_PARENT_UPC).get_public_children().count()
    assert variants >= 6  # 3 sizes × 2 papers, and whatever finishes the catalogue adds
    assert html.count('data-long="') == variants
    assert 'data-pixel-width="80"' in html and 'data-pixel-height="60"' in html
    # An 80 × 60 px final is far too small for any print: every size says so.
    assert html.count("résolution insuffisante") == variants


@pytest.mark.parametrize("who", ["anonymous", "other-client"])
def test_nobody_else_can_open_the_chooser_of_a_client_s_photo(client, delivered, who):
    _, final = delivered
    if who == "other-client":
        client.force_login(UserFactory())
    response = client.get(chooser_url(final))
    if who == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code == 404


def test_add_to_basket_puts_the_variant_with_the_photo_and_crop_on_the_line(client, delivered):
    session, final = delivered
    client.force_login(session.client)
    product = variant("30x45", "baryta")

    response = client.post(
        chooser_url(final), {"product": product.pk, "crop": "0.1,0.05,0.6,0.9", "quantity": 2}
    )

    assert response.status_code == 302 and response["Location"] == reverse("basket:summary")
    line = basket_of(session.client).all_lines()[0]
    assert (line.product, line.quantity) == (product, 2)
    assert selectors.line_options(line) == {
        "photo": final.pk,
        "recadrage": "0.1000,0.0500,0.6000,0.9000",
    }
    # The final is tiny: the client is told, but may still order it.
    assert any("points par pouce" in str(m) for m in response.wsgi_request._messages)


def test_the_basket_shows_the_photo_with_a_signed_thumbnail_link(client, delivered):
    session, final = delivered
    client.force_login(session.client)
    client.post(chooser_url(final), {"product": variant().pk, "crop": "0,0,1,1", "quantity": 1})

    html = client.get(reverse("basket:summary")).content.decode()

    [url] = thumb_urls(html)
    picture = client.get(url)
    assert picture.status_code == 200
    assert b"".join(picture.streaming_content) == final.job.rush.thumbnail.open("rb").read()
    assert client.get(url[:-3] + "xyz/").status_code == 404  # tampered with


def test_a_thumbnail_link_expires(client, delivered, settings):
    from shop.personal import views

    _, final = delivered
    url = views.thumb_url(final.job.rush_id)
    assert client.get(url).status_code == 200
    settings.SECRET_KEY = "rotated"  # any other signature: refused like an expired one
    assert client.get(url).status_code == 404


def test_a_crop_outside_the_photo_is_refused(client, delivered):
    session, final = delivered
    client.force_login(session.client)
    response = client.post(
        chooser_url(final), {"product": variant().pk, "crop": "0.5,0,0.8,1", "quantity": 1}
    )
    assert response.status_code == 200
    assert "sort de la photo" in response.content.decode()
    assert not basket_of(session.client).all_lines()


def test_a_product_that_is_not_a_print_of_the_catalogue_is_refused(client, delivered):
    session, final = delivered
    client.force_login(session.client)
    album = Product.objects.get(upc="BK-ALBUM-LIN-30")
    response = client.post(chooser_url(final), {"product": album.pk, "quantity": 1})
    assert response.status_code == 200
    assert not basket_of(session.client).all_lines()


def test_the_order_carries_the_photo_and_its_page_shows_the_thumbnail(client, delivered):
    session, final = delivered
    client.force_login(session.client)
    client.post(chooser_url(final), {"product": variant().pk, "crop": "0.2,0,0.6,1", "quantity": 1})
    order = place_order(session.client)

    line = order.lines.get()
    assert selectors.line_photo(line).final_id == final.pk
    html = client.get(reverse("customer:order", args=[order.number])).content.decode()
    assert len(thumb_urls(html)) == 1
    assert "left:20.0%" in html  # the crop frame over the thumbnail

    client.force_login(UserFactory())
    assert client.get(reverse("customer:order", args=[order.number])).status_code == 404


def test_the_public_print_page_cannot_set_a_photo_on_its_line(catalogue):
    """The options are set by our service only: Oscar's add-to-basket form on the public
    product page offers no field for them, so no visitor can name someone else's photo."""
    parent = Product.objects.get(upc=PRINT_PARENT_UPC)
    basket = Basket()
    basket.strategy = Selector().strategy()
    form = AddToBasketForm(basket, parent)
    assert "child_id" in form.fields
    assert not set(form.fields) & {"photo", "recadrage", "seance", "photos"}


def recropped(final, size: tuple[int, int], kind: str = "JPEG") -> FinalPhoto:
    """The final replaced by a file of another shape (a black and white, recropped export)."""
    from django.core.files.base import ContentFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", size, 120).save(out, kind)
    final.file.save(f"recropped.{kind.lower()}", ContentFile(out.getvalue()), save=False)
    final.width = final.height = None  # as a final that predates the columns: read the file
    final.save()
    return final


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "TIFF"])
def test_a_recropped_final_is_framed_on_itself_with_its_own_size(client, delivered, kind):
    session, final = delivered
    final = recropped(final, (40, 90), kind)  # the rush is a 60 × 40 landscape
    client.force_login(session.client)
    html = client.get(chooser_url(final)).content.decode()
    assert 'data-pixel-width="40"' in html and 'data-pixel-height="90"' in html
    # A portrait final starts on a portrait print.
    assert 'data-orientation-default="portrait"' in html
    assert re.search(r'value="portrait" checked', html)
    screen = client.get(reverse("portal:final-screen", args=[final.pk]))
    assert screen.status_code == 200
    from PIL import Image

    data = b"".join(screen.streaming_content) if screen.streaming else screen.content
    assert Image.open(io.BytesIO(data)).size == (40, 90)


def test_a_landscape_final_starts_on_a_landscape_print(client, delivered):
    session, final = delivered  # 80 × 60
    client.force_login(session.client)
    html = client.get(chooser_url(final)).content.decode()
    assert 'data-orientation-default="landscape"' in html
    assert re.search(r'value="landscape" checked', html)


def test_the_final_s_screen_copy_is_not_shown_to_another_client(client, delivered):
    _, final = delivered
    client.force_login(UserFactory())
    assert client.get(reverse("portal:final-screen", args=[final.pk])).status_code == 404


def test_the_resolution_is_that_of_the_final_not_of_its_rush(client, delivered):
    session, final = delivered
    # A camera's rush, a final exported small: the print is as sharp as the final.
    type(final.job.rush).objects.filter(pk=final.job.rush_id).update(width=6000, height=4000)
    FinalPhoto.objects.filter(pk=final.pk).update(width=900, height=600)
    client.force_login(session.client)
    html = client.get(chooser_url(final)).content.decode()
    assert 'data-pixel-width="900"' in html
    assert "résolution insuffisante" in html  # 900 px over 30 cm is 76 dpi
    # The same final exported at full size is fine at 20 × 30.
    FinalPhoto.objects.filter(pk=final.pk).update(width=6000, height=4000)
    html = client.get(chooser_url(final)).content.decode()
    small = re.search(rf'value="{variant("20x30", "lustre").pk}"[^>]*>([^<]*)<', html).group(1)
    assert "résolution insuffisante" not in small


def test_a_catalogue_print_is_framed_over_its_own_picture(client, catalogue):
    parent = Product.objects.get(upc=PRINT_PARENT_UPC)
    url = reverse("personal:product", args=[parent.pk])
    html = client.get(url).content.decode()
    assert parent.primary_image().original.url in html

    response = client.post(url, {"product": variant().pk, "crop": "0,0.1,1,0.8", "quantity": 1})

    assert response.status_code == 302
    assert client.get(reverse("personal:product", args=[variant().pk])).status_code == 404


def test_the_resolution_is_counted_on_the_crop_and_the_print_s_edges():
    print_20x30 = PrintVariant(1, "20×30", None, 20.0, 30.0)
    # 6000 px over 30 cm (11.8 in) is 508 dpi; half the photo is half that.
    assert round(selectors.print_dpi((6000, 4000), selectors.FULL_FRAME, print_20x30)) == 508
    assert round(selectors.print_dpi((6000, 4000), Crop(0, 0, 0.5, 0.5), print_20x30)) == 254
    assert selectors.print_dpi((1200, 800), selectors.FULL_FRAME, print_20x30) < selectors.MIN_DPI
    assert selectors.size_cm("Tirage 40×60 cm") == (40.0, 60.0)
    assert selectors.size_cm("45 x 30") == (30.0, 45.0)
