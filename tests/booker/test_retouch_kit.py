"""The retoucher's kit (issue 19): the RAW of each job they hold, one by one or in a streamed
ZIP with an XMP sidecar per RAW carrying the client's comment and the studio's instructions;
nothing of the jobs they do not hold."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile

import pytest
from django.urls import reverse

from booker import services
from booker.models import RetouchJob
from tests.booker.factories_studio import retouching_session

pytestmark = pytest.mark.django_db


def _kit(retoucher, **kwargs):
    session, jobs = retouching_session(**kwargs)
    services.assign_jobs(jobs, retoucher, actor=None)
    return session, RetouchJob.objects.filter(session=session).select_related("rush")


def _zip(client, **params) -> zipfile.ZipFile:
    response = client.get(reverse("admin:booker_retouchjob_mine_originals"), params)
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content)
    assert len(body) == int(response["Content-Length"])
    return zipfile.ZipFile(io.BytesIO(body))


def test_a_retoucher_downloads_the_raw_of_a_job_they_hold(client, retoucher):
    _session, jobs = _kit(retoucher)
    job = jobs[0]
    client.force_login(retoucher)

    response = client.get(reverse("admin:booker_retouchjob_original", args=[job.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == job.rush.original.open("rb").read()
    assert job.rush.original_filename in response["Content-Disposition"]
    assert "attachment" in response["Content-Disposition"]


def test_a_retoucher_gets_no_raw_of_a_job_they_do_not_hold(client, retoucher):
    from tests.factories import user_with_role

    other = user_with_role("Retoucher")
    _session, jobs = _kit(other)
    client.force_login(retoucher)

    response = client.get(reverse("admin:booker_retouchjob_original", args=[jobs[0].pk]))

    assert response.status_code == 404


def test_the_zip_holds_each_raw_with_its_sidecar_and_only_the_retoucher_s_jobs(
        client, retoucher):
    from tests.factories import user_with_role

    _session, jobs = _kit(retoucher)
    _kit(user_with_role("Retoucher"))  # another retoucher's session: none of it
    mine = {job.rush.original_filename for job in jobs}
    client.force_login(retoucher)

    archive = _zip(client)

    names = set(archive.namelist())
    assert names == mine | {f"{n.rsplit('.', 1)[0]}.xmp" for n in mine}
    for job in jobs:
        assert archive.read(job.rush.original_filename) == job.rush.original.open("rb").read()


def test_a_sidecar_carries_the_client_s_comment_and_the_studio_s_instructions(
        client, retoucher):
    session, jobs = _kit(retoucher)
    commented = next(job for job in jobs if job.instructions)
    RetouchJob.objects.filter(pk=commented.pk).update(
        instructions="Plus de lumière sur le visage ; garder les taches de rousseur")
    client.force_login(retoucher)

    archive = _zip(client, session=session.pk)
    sidecar = archive.read(f"{commented.rush.stem}.xmp").decode("utf-8")

    assert "Client : Plus de lumière sur le visage" in sidecar
    assert "Studio : Plus de lumière sur le visage ; garder les taches de rousseur" in sidecar


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool is not installed "
                    "(.ci/run installs libimage-exiftool-perl)")
def test_exiftool_reads_the_sidecars_caption_rating_and_label(client, retoucher, tmp_path):
    session, jobs = _kit(retoucher)
    commented = next(job for job in jobs if job.instructions)
    client.force_login(retoucher)
    archive = _zip(client, session=session.pk)
    path = tmp_path / f"{commented.rush.stem}.xmp"
    path.write_bytes(archive.read(path.name))

    read = json.loads(subprocess.run(
        ["exiftool", "-json", "-XMP:Description", "-XMP:Rating", "-XMP:Label", str(path)],
        capture_output=True, check=True, text=True).stdout)[0]

    assert read["Description"] == "Client : Plus de lumière sur le visage"
    assert read["Rating"] == 5
    assert read["Label"] == "Green"  # one of Lightroom's default label set


def test_a_client_cannot_reach_the_kit(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("admin:booker_retouchjob_mine_originals"))
    assert response.status_code in (302, 403, 404)


def test_a_retoucher_with_nothing_to_do_is_told_so_instead_of_an_empty_zip(client, retoucher):
    client.force_login(retoucher)
    response = client.get(reverse("admin:booker_retouchjob_mine_originals"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:booker_retouchjob_mine")
    assert "aucun original" in response.content.decode()
