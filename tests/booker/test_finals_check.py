"""Finals are checked by their content: a JPEG, TIFF or PNG that Pillow opens and verifies.
Anything else is refused with its reason, shown to whoever uploaded it, and the rest of the
batch goes on (a bad file fails alone)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from booker import services
from booker.models import FinalPhoto, RetouchJob
from tests.booker.factories_studio import jpeg, retouching_session

pytestmark = pytest.mark.django_db


def finals_url(session) -> str:
    return reverse("admin:booker_photosession_finals", args=[session.pk])


def picture(fmt: str, size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, fmt)
    return out.getvalue()


NOT_A_PICTURE = "n'est pas une image JPEG, TIFF ou PNG"
DAMAGED = "image est endommagée ou incomplète"


def test_a_batch_with_bad_finals_attaches_the_good_ones_and_says_why_the_others_are_refused(
    studio,
):
    session, jobs = retouching_session(picks={0: "", 1: "", 2: "", 3: ""}, quota=4)
    response = studio.post(finals_url(session), {"files": [
        SimpleUploadedFile("IMG_0000-edit.jpg", jpeg(700)),
        SimpleUploadedFile("IMG_0001-edit.jpg", b"MZ\x90\x00 not a picture at all"),
        SimpleUploadedFile("IMG_0002-edit.jpg", jpeg(702, (300, 200))[:600]),  # cut short
        SimpleUploadedFile("IMG_0003-edit.png", picture("PNG")),
    ]})

    assert response.status_code == 200
    report = response.context["report"]
    assert [name for name, _ in report.matched] == ["IMG_0000-edit.jpg", "IMG_0003-edit.png"]
    refused = dict(report.refused)
    assert set(refused) == {"IMG_0001-edit.jpg", "IMG_0002-edit.jpg"}
    assert NOT_A_PICTURE in refused["IMG_0001-edit.jpg"]
    assert DAMAGED in refused["IMG_0002-edit.jpg"]
    html = response.content.decode()
    assert NOT_A_PICTURE.replace("'", "&#x27;") in html
    # Nothing of the refused files is stored, and their jobs did not move.
    assert FinalPhoto.objects.count() == 2
    statuses = dict(RetouchJob.objects.values_list("rush__original_filename", "status"))
    assert statuses == {"IMG_0000.CR2": "in_review", "IMG_0001.CR2": "todo",
                        "IMG_0002.CR2": "todo", "IMG_0003.CR2": "in_review"}


def test_the_uploader_gets_the_reason_of_a_refused_final_in_its_json(studio):
    session, jobs = retouching_session(picks={0: ""})
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    answer = studio.post(finals_url(session),
                         {"files": SimpleUploadedFile("IMG_0000-edit.jpg", gif.getvalue())},
                         HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    (result,) = answer.json()["results"]
    assert result["status"] == "refused" and NOT_A_PICTURE in result["reason"]
    assert not FinalPhoto.objects.exists()


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF", "PNG"])
def test_jpeg_tiff_and_png_finals_are_taken(studio, fmt):
    session, jobs = retouching_session(picks={0: ""})
    report = services.upload_finals([("IMG_0000-hd.x", io.BytesIO(picture(fmt)))],
                                    jobs=jobs, actor=None)
    assert [name for name, _ in report.matched] == ["IMG_0000-hd.x"] and not report.refused
    final = FinalPhoto.objects.get()
    assert (final.width, final.height) == (40, 30)


def test_a_decompression_bomb_is_refused_without_being_decoded(studio, monkeypatch):
    session, jobs = retouching_session(picks={0: ""})
    # Pillow's own limit (MAX_IMAGE_PIXELS, twice of it refused outright): lowered here so
    # that a small picture stands for a 200-megapixel bomb.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500)
    report = services.upload_finals([("IMG_0000-edit.png", io.BytesIO(picture("PNG")))],
                                    jobs=jobs, actor=None)
    assert not report.matched
    (name, reason), = report.refused
    assert "trop de pixels" in reason
    assert not FinalPhoto.objects.exists()
