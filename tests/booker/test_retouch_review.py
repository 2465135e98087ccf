"""The photographer reviews each final beside its proof (issue 19): approved, or returned with
what to change; the next upload is a new version and the earlier one is kept, file and all."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from booker import roles, services
from booker.models import FinalPhoto, FinalVersion, RetouchJob
from tests.booker.factories_studio import jpeg, retouching_session
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _in_review(retoucher):
    session, jobs = retouching_session()
    services.assign_jobs(jobs, retoucher, actor=None)
    job = RetouchJob.objects.filter(session=session).select_related("rush").first()
    services.upload_finals([(f"{job.rush.stem}-edit.jpg", io.BytesIO(jpeg(1, (90, 60))))],
                           jobs=[job], actor=retoucher)
    job.refresh_from_db()
    return session, job


def test_the_review_page_shows_each_final_beside_its_proof(studio, retoucher):
    _session, job = _in_review(retoucher)

    page = studio.get(reverse("admin:booker_retouchjob_review")).content.decode()

    assert reverse("portal:rush-proof", args=[job.rush_id]) in page
    final_url = reverse("admin:booker_retouchjob_final", args=[job.pk])
    assert final_url in page and "100 %" in page
    shown = studio.get(final_url)
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content) == job.final.file.open("rb").read()


def test_a_returned_final_comes_back_as_a_new_version_and_the_old_one_is_kept(
        studio, retoucher, client):
    _session, job = _in_review(retoucher)
    first = FinalPhoto.objects.get(job=job)
    first_key, first_bytes = first.file.name, first.file.open("rb").read()

    response = studio.post(reverse("admin:booker_retouchjob_review_one", args=[job.pk]),
                           {"decision": "return", "note": "Moins de vignettage"}, follow=True)
    assert "renvoyée" in response.content.decode() or "renvoy" in response.content.decode()
    job.refresh_from_db()
    assert job.status == RetouchJob.Status.CHANGES_REQUESTED
    assert job.review_note == "Moins de vignettage"

    services.upload_finals([(f"{job.rush.stem}-edit.jpg", io.BytesIO(jpeg(2, (90, 60))))],
                           jobs=[job], actor=retoucher)
    final = FinalPhoto.objects.get(job=job)
    assert final.version == 2 and final.file.name != first_key
    [kept] = FinalVersion.objects.filter(job=job)
    assert (kept.version, kept.review_note) == (1, "Moins de vignettage")
    assert kept.file.open("rb").read() == first_bytes
    older = studio.get(reverse("admin:booker_retouchjob_final", args=[job.pk]) + "?version=1")
    assert b"".join(older.streaming_content) == first_bytes

    studio.post(reverse("admin:booker_retouchjob_review_one", args=[job.pk]),
                {"decision": "approve"})
    job.refresh_from_db()
    assert job.status == RetouchJob.Status.DONE


def test_a_return_without_saying_what_to_change_is_refused(studio, retoucher):
    _session, job = _in_review(retoucher)
    response = studio.post(reverse("admin:booker_retouchjob_review_one", args=[job.pk]),
                           {"decision": "return", "note": "  "}, follow=True)
    job.refresh_from_db()
    assert job.status == RetouchJob.Status.IN_REVIEW
    assert "retoucheur" in response.content.decode()


def test_a_retoucher_reviews_nothing(client, retoucher):
    _session, job = _in_review(retoucher)
    client.force_login(retoucher)
    assert client.get(reverse("admin:booker_retouchjob_review")).status_code in (302, 403)
    client.post(reverse("admin:booker_retouchjob_review_one", args=[job.pk]),
                {"decision": "approve"})
    job.refresh_from_db()
    assert job.status == RetouchJob.Status.IN_REVIEW
    # Their own final they may look at.
    assert client.get(reverse("admin:booker_retouchjob_final", args=[job.pk])).status_code == 200
    other = user_with_role(roles.RETOUCHER)
    client.force_login(other)
    assert client.get(reverse("admin:booker_retouchjob_final", args=[job.pk])).status_code == 404
