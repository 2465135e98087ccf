"""What an editor relies on, for every page type: the editor opens, a preview shows the unsaved
change, a draft leaves the live page alone, a scheduled revision goes live on time, an older
revision can be brought back; blocks refuse what would break the layout, with a message; crops
keep the focal point."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image as Picture
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.models import Image
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from editorial.blocks import (
    GALLERY_MAX_IMAGES,
    HEADING_MAX,
    QUOTE_MAX,
    CallToActionBlock,
    GalleryBlock,
    StoryBlock,
)
from tests.factories import UserFactory

from .trees import build_tree, picture

pytestmark = pytest.mark.django_db

PAGE_NAMES = ["home", "journal", "post", "history", "galleries", "gallery", "landing"]


@pytest.fixture
def tree():
    return build_tree()


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def _page(tree, name: str) -> Page:
    return Page.objects.get(pk=getattr(tree, name).pk).specific


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_the_editor_opens_for_every_page_type(tree, editor_client, name):
    page = _page(tree, name)
    response = editor_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_preview_shows_the_unsaved_change(tree, name):
    page = _page(tree, name)
    page.title = "Titre en cours d'écriture"
    response = page.make_preview_request()
    assert response.status_code == 200
    assert "Titre en cours d&#x27;écriture" in response.content.decode()


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_a_draft_revision_leaves_the_live_page_alone(tree, client, name):
    page = _page(tree, name)
    live_title = page.title
    page.title = "Brouillon pas encore relu"
    page.save_revision()

    text = client.get(page.url).text
    assert live_title in text
    assert "Brouillon pas encore relu" not in text
    assert Page.objects.get(pk=page.pk).has_unpublished_changes


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_a_scheduled_revision_goes_live_at_its_time(tree, client, monkeypatch, name):
    page = _page(tree, name)
    go_live_at = timezone.now() + timedelta(hours=2)
    page.title = "Publié à l'heure dite"
    page.go_live_at = go_live_at
    page.save_revision().publish()

    call_command("publish_scheduled")
    assert "Publié à l" not in client.get(page.url).text

    later = go_live_at + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("publish_scheduled")
    assert Page.objects.get(pk=page.pk).title == "Publié à l'heure dite"
    assert "Publié à l&#x27;heure dite" in client.get(page.url).text


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_an_earlier_revision_can_be_brought_back(tree, client, editor_client, name):
    page = _page(tree, name)
    first = page.latest_revision
    first_title = page.title
    page.title = "Version à regretter"
    page.save_revision().publish()
    assert "Version à regretter" in client.get(page.url).text

    # The admin's "review this revision" screen opens the old content in the editor...
    revert_url = reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, first.pk])
    assert editor_client.get(revert_url).status_code == 200
    # ...and publishing it makes it a new revision, as the editor's "Publish" does.
    first.as_object().save_revision(previous_revision=first).publish()

    text = client.get(page.url).text
    assert first_title in text
    assert "Version à regretter" not in text


# --- Blocks refuse what would break the layout, saying why -------------------------------


def _messages(error) -> str:
    return str(error.as_json_data())


def _cta(**value):
    block = CallToActionBlock()
    data = {"title": "Réservez", "text": "", "button_label": "Réserver", "page": None, "url": ""}
    return block, block.to_python({**data, **value})


def test_a_call_to_action_with_both_a_page_and_an_address_is_refused(tree):
    block, value = _cta(page=tree.landing.pk, url="https://exemple.fr/")
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(value)
    assert set(error.value.block_errors) == {"page", "url"}
    assert "pas les deux" in _messages(error.value)


def test_a_call_to_action_without_destination_is_refused_on_publish(tree):
    block, value = _cta()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(value)
    assert "Le bouton a besoin" in _messages(error.value)


def test_a_call_to_action_without_destination_may_be_saved_as_a_draft(tree):
    story = StoryBlock()
    stream = story.to_python(
        [{"type": "call_to_action", "value": {"title": "Réservez", "button_label": "Réserver"}}]
    )
    story.clean_deferred(stream)  # a draft: no error


def test_a_call_to_action_with_one_destination_renders_its_button(tree):
    block, value = _cta(page=tree.landing.pk)
    html = block.render(block.clean(value))
    assert f'href="{tree.landing.url}"' in html
    block, value = _cta(url="https://exemple.fr/")
    assert 'href="https://exemple.fr/"' in block.render(block.clean(value))


def test_a_too_long_heading_or_quote_is_refused():
    story = StoryBlock()
    stream = story.to_python(
        [
            {"type": "heading", "value": "x" * (HEADING_MAX + 1)},
            {"type": "quote", "value": {"text": "y" * (QUOTE_MAX + 1), "attribution": ""}},
        ]
    )
    with pytest.raises(Exception) as error:
        story.clean(stream)
    data = error.value.as_json_data()
    assert set(data["blockErrors"]) == {0, 1}
    assert str(HEADING_MAX) in str(data["blockErrors"][0])


def test_a_gallery_block_holds_at_most_a_dozen_photos():
    image = picture()
    block = GalleryBlock()
    too_many = [{"image": image.pk, "caption": ""}] * (GALLERY_MAX_IMAGES + 1)
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"title": "", "images": too_many}))
    assert isinstance(error.value.block_errors["images"], ListBlockValidationError)
    assert str(GALLERY_MAX_IMAGES) in _messages(error.value)
    fine = block.to_python({"title": "", "images": too_many[:GALLERY_MAX_IMAGES]})
    block.clean(fine)


def test_the_editor_shows_block_errors_instead_of_publishing(tree, editor_client):
    post = _page(tree, "post")
    revisions_before = post.revisions.count()
    data = nested_form_data(
        {
            "title": post.title,
            "slug": post.slug,
            "date": "2026-11-04",
            "author_name": "",
            "intro": "",
            "tags": "",
            "cover_image": "",
            "body": streamfield([("heading", "x" * (HEADING_MAX + 1))]),
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )
    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[post.pk]), data)

    assert response.status_code == 200  # the form again, not a redirect
    body_error = response.context["form"].errors.as_data()["body"][0]
    # What the editor's StreamField widget shows under the heading block.
    assert str(HEADING_MAX) in str(body_error.as_json_data()["blockErrors"][0])
    assert len(Page.objects.get(pk=post.pk).specific.body) == 0
    assert post.revisions.count() == revisions_before  # nothing saved, not even a draft


# --- Crops keep the focal point ----------------------------------------------------------


def _left_red_right_blue() -> Image:
    canvas = Picture.new("RGB", (400, 200), "blue")
    canvas.paste("red", (0, 0, 150, 200))
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    return Image.objects.create(title="Rouge et bleu", file=ImageFile(buffer, name="rb.png"))


def _centre_colour(image: Image, spec: str) -> tuple[int, int, int]:
    rendition = image.get_rendition(spec)
    with rendition.file.open("rb") as f:
        crop = Picture.open(f).convert("RGB")
        return crop.getpixel((crop.width // 2, crop.height // 2))


def test_a_fill_rendition_crops_around_the_focal_point():
    image = _left_red_right_blue()
    r, _, b = _centre_colour(image, "fill-200x200")
    assert b > r  # without a focal point, the centre of the picture (blue) is kept

    image.focal_point_x, image.focal_point_y = 40, 100
    image.focal_point_width, image.focal_point_height = 60, 60
    image.save()
    r, _, b = _centre_colour(image, "fill-200x200")
    assert r > b
