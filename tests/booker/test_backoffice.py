"""The studio back office (/admin/): sessions, the studio page and its uploads, the picks and
their exports, retouching and delivery — as photographers and retouchers use it."""

import csv
import hashlib
import io
import json
import os
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from booker import roles, services
from booker.models import PhotoSession, RetouchJob, Rush, SessionEvent
from tests.booker.factories_studio import (
    PackageFactory,
    jpeg,
    retouching_session,
    shot_session,
    submitted_session,
)
from tests.factories import CompanyFactory, UserFactory, user_with_role

Status = PhotoSession.Status
JobStatus = RetouchJob.Status


def url(name: str, *args) -> str:
    return reverse(f"admin:booker_{name}", args=args)


def upload(client, session, name: str, data: bytes):
    """One rush through the studio page's uploader API (local storage: one chunk here);
    the answer of `complete`. tests/booker/test_uploads.py covers that API itself."""
    base = url("photosession_uploads", session.pk)
    started = client.post(base, json.dumps({"filename": name, "size": len(data),
                                            "sha256": hashlib.sha256(data).hexdigest()}),
                          content_type="application/json")
    if started.status_code not in (200, 201):
        return started  # refused before any byte is sent
    opened = started.json()
    client.put(f"{base}{opened['upload']}/chunk/?offset=0", data,
               content_type="application/octet-stream")
    return client.post(f"{base}{opened['upload']}/complete/", "{}",
                       content_type="application/json")


def texts(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Sessions list and booking -----------------------------------------------------------------


@pytest.mark.django_db
def test_booking_a_company_session_copies_the_package_and_opens_the_studio(studio, photographer):
    company = CompanyFactory(name="Acme")
    package = PackageFactory(photos_included=12, extra_photo_price=Decimal("15.00"))
    response = studio.post(url("photosession_add"), {
        "title": "Portraits d'équipe", "company": company.pk, "package": package.pk,
        "location": "Lyon",
    })
    session = PhotoSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("photosession_studio", session.pk)
    assert (session.company, session.client) == (company, None)
    assert (session.quota, session.extra_photo_price) == (12, Decimal("15.00"))
    booked = SessionEvent.objects.get(session=session, name="session.booked")
    assert booked.actor == photographer


@pytest.mark.django_db
def test_a_session_needs_a_client_or_a_company_not_both(studio):
    response = studio.post(url("photosession_add"), {
        "title": "Les deux", "client": UserFactory().pk, "company": CompanyFactory().pk,
    })
    assert response.status_code == 200
    assert "Une séance appartient à un client ou à une entreprise" in response.content.decode()
    assert not PhotoSession.objects.exists()


@pytest.mark.django_db
def test_the_list_shows_owner_status_badge_and_ingest_counts_and_filters_by_status(studio):
    shot = shot_session(["IMG_0001.CR2", "IMG_0002.CR2"], title="Mariage Martin")
    Rush.objects.filter(session=shot, original_filename="IMG_0002.CR2").update(
        ingest_status=Rush.Ingest.FAILED, failure_reason="not a RAW file")
    services.create_session(title="Séminaire Acme", company=CompanyFactory(name="Acme"))
    page = studio.get(url("photosession_changelist")).content.decode()
    assert "Mariage Martin" in page and "Séminaire Acme" in page
    assert 'class="bo-badge bo-session-shot"' in page
    assert "1 prêt(s)" in page and "1 en échec" in page
    assert "Acme" in page
    filtered = studio.get(url("photosession_changelist"), {"status__exact": "booked"})
    assert "Séminaire Acme" in filtered.content.decode()
    assert "Mariage Martin" not in filtered.content.decode()


@pytest.mark.django_db
def test_status_is_not_editable_in_the_form(studio):
    session = shot_session()
    response = studio.post(url("photosession_change", session.pk), {
        "title": "Renamed", "client": session.client.pk, "quota": 5, "status": "delivered",
    })
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.title, session.status) == ("Renamed", Status.SHOT)


# --- Rush uploads and ingest -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_corrupt_rush_fails_alone_and_its_reason_shows_on_the_studio_page(
    studio, django_capture_on_commit_callbacks
):
    session = services.create_session(title="Book", client=UserFactory())
    # The real path: the endpoint queues the ingest, the (synchronous, in tests) worker runs it.
    with django_capture_on_commit_callbacks(execute=True):
        for name, data in [("IMG_0001.CR2", jpeg(1)), ("IMG_0002.JPG", jpeg(2)),
                           ("IMG_0003.CR2", os.urandom(4096))]:
            assert upload(studio, session, name, data).status_code == 201
    statuses = dict(Rush.objects.values_list("original_filename", "ingest_status"))
    assert statuses == {"IMG_0001.CR2": "ready", "IMG_0002.JPG": "ready",
                        "IMG_0003.CR2": "failed"}
    broken = Rush.objects.get(original_filename="IMG_0003.CR2")
    assert broken.failure_reason

    page = studio.get(url("photosession_studio", session.pk))
    html = page.content.decode()
    assert page.context["counts"]["ready"] == 2 and page.context["counts"]["failed"] == 1
    assert broken.failure_reason in html
    assert "bo-rush bo-rush-failed" in html
    assert 'Relancer les rushes en échec (<span data-count="failed">1</span>)' in html
    assert reverse("portal:rush-thumb", args=[Rush.objects.get(
        original_filename="IMG_0001.CR2").pk]) in html

    progress = studio.get(url("photosession_progress", session.pk)).json()
    assert progress["in_flight"] == 0
    assert progress["counts"]["failed"] == 1
    failed = [r for r in progress["rushes"] if r["status"] == "failed"]
    assert failed == [{"id": broken.pk, "name": "IMG_0003.CR2", "status": "failed",
                       "label": "en échec", "reason": broken.failure_reason, "thumb": None}]


@pytest.mark.django_db
def test_progress_reports_rushes_in_flight_so_the_page_keeps_polling(studio):
    session = services.create_session(title="Book", client=UserFactory())
    services.add_rush(session, io.BytesIO(jpeg(1)), "IMG_1.CR2", enqueue=False)
    page = studio.get(url("photosession_studio", session.pk)).content.decode()
    assert 'data-in-flight="1"' in page
    progress = studio.get(url("photosession_progress", session.pk)).json()
    assert progress["in_flight"] == 1 and progress["rushes"][0]["status"] == "pending"


@pytest.mark.django_db
def test_retry_button_requeues_failed_rushes(studio, django_capture_on_commit_callbacks):
    session = shot_session(["IMG_1.CR2"])
    rush = session.rushes.get()
    Rush.objects.filter(pk=rush.pk).update(ingest_status=Rush.Ingest.FAILED,
                                           failure_reason="original file is missing")
    with django_capture_on_commit_callbacks(execute=True):
        response = studio.post(url("photosession_step", session.pk, "retry"), follow=True)
    assert "1 rush remis en file d'attente." in texts(response)
    rush.refresh_from_db()
    assert rush.ingest_status == Rush.Ingest.READY


@pytest.mark.django_db
def test_publish_proofs_button_moves_the_session_to_proofing(studio):
    session = shot_session()
    page = studio.get(url("photosession_studio", session.pk)).content.decode()
    assert "Publier les épreuves" in page
    response = studio.post(url("photosession_step", session.pk, "publish"), follow=True)
    session.refresh_from_db()
    assert session.status == Status.PROOFING
    assert any("Épreuves publiées" in m for m in texts(response))


@pytest.mark.django_db
def test_publish_is_refused_with_the_services_reason_while_rushes_are_in_flight(studio):
    session = shot_session()
    services.add_rush(session, io.BytesIO(jpeg(50)), "IMG_0050.CR2", enqueue=False)
    response = studio.post(url("photosession_step", session.pk, "publish"), follow=True)
    session.refresh_from_db()
    assert session.status == Status.SHOT
    assert texts(response) == [
        "1 rush est encore en cours de traitement ; publiez quand il sera prêt."
    ]


@pytest.mark.django_db
def test_bulk_publish_action_reports_each_refusal(studio):
    ready = shot_session(title="Prête")
    empty = services.create_session(title="Vide", client=UserFactory())
    response = studio.post(url("photosession_changelist"), {
        "action": "publish_proofs", "_selected_action": [ready.pk, empty.pk],
    }, follow=True)
    messages = texts(response)
    assert "Épreuves publiées pour 1 séance." in messages
    assert "Vide : Aucune épreuve n'est encore prête à être publiée." in messages


@pytest.mark.django_db
def test_cancel_action_asks_for_confirmation_first(studio):
    session = shot_session()
    data = {"action": "cancel_sessions", "_selected_action": [session.pk]}
    confirm = studio.post(url("photosession_changelist"), data)
    assert confirm.status_code == 200 and "ne peut pas être rouverte" in confirm.content.decode()
    session.refresh_from_db()
    assert session.status == Status.SHOT
    studio.post(url("photosession_changelist"), {**data, "apply": "yes", "reason": "météo"})
    session.refresh_from_db()
    assert session.status == Status.CANCELLED
    assert session.events.get(name="session.cancelled").payload == {"reason": "météo"}


# --- Picks and exports ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_studio_page_shows_the_picks_and_comments(studio):
    session = submitted_session(4, picks={0: "", 2: "Plus de lumière sur le visage"},
                                notes={3: "Et celle-ci ?"})
    html = studio.get(url("photosession_studio", session.pk)).content.decode()
    assert "2 photos choisies" in html
    assert "Plus de lumière sur le visage" in html and "Et celle-ci ?" in html
    assert 'value="IMG_0000, IMG_0002"' in html
    assert "Rouvrir la sélection" in html and "Lancer la retouche (2 photos)" in html


@pytest.mark.django_db
def test_exports_download_search_string_csv_and_xmp_sidecars(studio):
    session = submitted_session(4, picks={0: "", 2: "Plus de lumière"}, notes={3: "Bof"})
    search = studio.get(url("photosession_export", session.pk, "search"))
    assert search.content.decode() == "IMG_0000, IMG_0002"
    assert "attachment" in search["Content-Disposition"]

    response = studio.get(url("photosession_export", session.pk, "csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["filename", "stem", "picked", "comment"],
        ["IMG_0000.CR2", "IMG_0000", "yes", ""],
        ["IMG_0002.CR2", "IMG_0002", "yes", "Plus de lumière"],
        ["IMG_0003.CR2", "IMG_0003", "no", "Bof"],
    ]

    response = studio.get(url("photosession_export", session.pk, "xmp"))
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["IMG_0000.xmp", "IMG_0002.xmp"]
        root = ElementTree.fromstring(archive.read("IMG_0002.xmp"))
        description = root.find("{*}RDF/{*}Description")
        assert description.get("{http://ns.adobe.com/xap/1.0/}Rating") == "5"
        assert description.get("{http://ns.adobe.com/xap/1.0/}Label") == "Green"
        assert "Plus de lumière" in archive.read("IMG_0002.xmp").decode()
    assert studio.get(url("photosession_export", session.pk, "pdf")).status_code == 404


@pytest.mark.django_db
def test_reopen_selection_button(studio):
    session = submitted_session()
    studio.post(url("photosession_step", session.pk, "reopen"))
    session.refresh_from_db()
    assert session.status == Status.PROOFING
    assert not session.selection.is_locked


# --- Retouching ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_start_retouching_button_creates_jobs_with_the_due_date_and_instructions(studio):
    session = submitted_session(picks={0: "", 2: "Plus de lumière"})
    response = studio.post(url("photosession_step", session.pk, "start-retouching"),
                           {"due_date": "2031-05-20"}, follow=True)
    assert "Retouche lancée : 2 retouches créées." in texts(response)
    jobs = RetouchJob.objects.filter(session=session).order_by("rush__original_filename")
    assert [str(j.due_date) for j in jobs] == ["2031-05-20", "2031-05-20"]
    assert [j.instructions for j in jobs] == ["", "Plus de lumière"]
    bad = studio.post(url("photosession_step", session.pk, "start-retouching"),
                      {"due_date": "soon"}, follow=True)
    assert texts(bad) == ["La date limite n'est pas une date valide."]


@pytest.mark.django_db
def test_assign_in_bulk_goes_through_a_page_choosing_a_retoucher(studio, retoucher):
    session, jobs = retouching_session()
    photographer_only = user_with_role(roles.PHOTOGRAPHER, first_name="Zoé")
    data = {"action": "assign_to_retoucher", "_selected_action": [j.pk for j in jobs]}
    page = studio.post(url("retouchjob_changelist"), data)
    assert page.status_code == 200
    choices = list(page.context["form"].fields["retoucher"].queryset)
    assert choices == [retoucher] and photographer_only not in choices
    response = studio.post(url("retouchjob_changelist"),
                           {**data, "apply": "yes", "retoucher": retoucher.pk}, follow=True)
    assert f"2 retouches confiées à {retoucher}." in texts(response)
    assert set(RetouchJob.objects.values_list("assignee", flat=True)) == {retoucher.pk}
    wrong = studio.post(url("retouchjob_changelist"),
                        {**data, "apply": "yes", "retoucher": photographer_only.pk})
    assert wrong.status_code == 200 and wrong.context["form"].errors


@pytest.mark.django_db
def test_the_jobs_list_shows_thumbnail_session_assignee_status_due_date_and_instructions(
    studio, retoucher
):
    session, jobs = retouching_session(picks={1: "Adoucir la peau"}, title="Portraits Dubois")
    services.assign_jobs(jobs, retoucher, actor=None)
    html = studio.get(url("retouchjob_changelist")).content.decode()
    thumb = reverse("portal:rush-thumb", args=[jobs[0].rush_id])
    for text in (thumb, "IMG_0001.CR2", session.title, str(retoucher), "bo-job-todo",
                 "Adoucir la peau"):
        assert text in html


@pytest.mark.django_db
def test_approve_and_request_changes_actions_move_jobs_through_the_service(studio):
    session, jobs = retouching_session()
    data = {"_selected_action": [j.pk for j in jobs]}
    refused = studio.post(url("retouchjob_changelist"), {**data, "action": "approve"},
                          follow=True)
    assert all("ne peut pas passer de" in m for m in texts(refused)), "todo cannot be approved"
    RetouchJob.objects.update(status=JobStatus.IN_REVIEW)
    studio.post(url("retouchjob_changelist"), {**data, "action": "request_changes"})
    assert set(RetouchJob.objects.values_list("status", flat=True)) == {"changes_requested"}
    RetouchJob.objects.update(status=JobStatus.IN_REVIEW)
    response = studio.post(url("retouchjob_changelist"), {**data, "action": "approve"},
                           follow=True)
    assert "2 retouches validées." in texts(response)
    assert set(RetouchJob.objects.values_list("status", flat=True)) == {"done"}


@pytest.mark.django_db
def test_retoucher_uploads_finals_matched_by_stem_and_sees_the_unmatched(client, retoucher):
    session, jobs = retouching_session(picks={0: "", 2: ""})
    services.assign_jobs(jobs, retoucher, actor=None)
    client.force_login(retoucher)
    page = client.get(url("retouchjob_mine"))
    assert [job.pk for job, *_ in page.context["jobs"]] == [j.pk for j in jobs]
    response = client.post(url("retouchjob_mine_finals"), {"files": [
        SimpleUploadedFile("IMG_0000-edit.jpg", jpeg(500)),
        SimpleUploadedFile("IMG_0002_final.JPG", jpeg(502)),
        SimpleUploadedFile("vacances.jpg", jpeg(503)),
    ]})
    assert response.status_code == 200
    report = response.context["report"]
    assert [name for name, _ in report.matched] == ["IMG_0000-edit.jpg", "IMG_0002_final.JPG"]
    assert report.unmatched == ["vacances.jpg"]
    html = response.content.decode()
    assert "NON rattachés" in html and "vacances.jpg" in html
    assert "pas été enregistrés" in html
    statuses = set(RetouchJob.objects.values_list("status", flat=True))
    assert statuses == {"in_review"}
    final = RetouchJob.objects.get(rush__original_filename="IMG_0000.CR2").final
    assert final.original_filename == "IMG_0000-edit.jpg" and final.uploaded_by == retoucher


@pytest.mark.django_db
def test_finals_upload_answers_json_per_file_for_the_progress_ui(studio):
    session, jobs = retouching_session(picks={0: ""})
    endpoint = url("photosession_finals", session.pk)
    matched = studio.post(endpoint, {"files": SimpleUploadedFile("IMG_0000 edit.jpg", jpeg(7))},
                          HTTP_ACCEPT="application/json").json()
    assert matched == {"results": [{"name": "IMG_0000 edit.jpg", "status": "matched",
                                    "job": jobs[0].pk, "rush": "IMG_0000.CR2",
                                    "session": session.title}]}
    unmatched = studio.post(endpoint, {"files": SimpleUploadedFile("DSC_1.jpg", jpeg(8))},
                            HTTP_ACCEPT="application/json").json()
    assert unmatched == {"results": [{"name": "DSC_1.jpg", "status": "unmatched"}]}


@pytest.mark.django_db
def test_photographer_uploads_finals_for_a_whole_session_from_the_studio_page(studio):
    session, jobs = retouching_session(picks={0: "", 1: "", 2: ""})
    page = studio.get(url("photosession_studio", session.pk)).content.decode()
    assert url("photosession_finals", session.pk) in page
    response = studio.post(url("photosession_finals", session.pk), {"files": [
        SimpleUploadedFile("IMG_0001-edit.tif", jpeg(600)),
        SimpleUploadedFile("IMG_9999.jpg", jpeg(601)),
    ]})
    assert [name for name, _ in response.context["report"].matched] == ["IMG_0001-edit.tif"]
    assert response.context["report"].unmatched == ["IMG_9999.jpg"]


@pytest.mark.django_db
def test_deliver_is_refused_until_every_retouch_is_approved_then_works(studio):
    session, jobs = retouching_session(picks={0: "", 2: ""})
    refused = studio.post(url("photosession_step", session.pk, "deliver"), follow=True)
    assert texts(refused) == ["2 retouches sur 2 ne sont pas encore validées."]
    session.refresh_from_db()
    assert session.status == Status.RETOUCHING
    RetouchJob.objects.update(status=JobStatus.DONE)
    response = studio.post(url("photosession_step", session.pk, "deliver"),
                           {"message": "Bonne réception !"}, follow=True)
    assert texts(response) == ["Livrée : le client peut télécharger les photos."]
    session.refresh_from_db()
    assert session.status == Status.DELIVERED
    assert session.delivery.message == "Bonne réception !"


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_retoucher_sees_only_their_own_jobs(client, retoucher):
    other = user_with_role(roles.RETOUCHER)
    mine_session, mine = retouching_session(picks={0: ""}, title="La mienne")
    other_session, theirs = retouching_session(picks={1: ""}, title="L'autre")
    services.assign_jobs(mine, retoucher, actor=None)
    services.assign_jobs(theirs, other, actor=None)
    client.force_login(retoucher)
    listing = client.get(url("retouchjob_changelist"))
    assert [j.pk for j in listing.context["cl"].result_list] == [mine[0].pk]
    assert listing.context["action_form"] is None, "no action is offered to a retoucher"
    own = client.get(url("retouchjob_change", mine[0].pk))
    assert own.status_code == 200 and not own.context["has_change_permission"], "read-only"
    assert client.get(url("retouchjob_change", theirs[0].pk)).status_code == 302  # not found
    sessions = client.get(url("photosession_changelist"))
    assert [s.pk for s in sessions.context["cl"].result_list] == [mine_session.pk]
    page = client.get(url("retouchjob_mine")).content.decode()
    assert "IMG_0000.CR2" in page and "L'autre" not in page


@pytest.mark.django_db
def test_retoucher_cannot_reach_a_sessions_studio_uploads_or_exports(client, retoucher):
    session, jobs = retouching_session(picks={0: ""})
    services.assign_jobs(jobs, retoucher, actor=None)
    booked = services.create_session(title="Book", client=UserFactory())
    client.force_login(retoucher)
    assert upload(client, booked, "IMG_1.CR2", jpeg(1)).status_code == 403
    assert not booked.rushes.exists()
    for target in (
        url("photosession_studio", session.pk),
        url("photosession_progress", session.pk),
        url("photosession_export", session.pk, "csv"),
    ):
        assert client.get(target).status_code == 403, target
    assert client.post(url("photosession_step", session.pk, "deliver")).status_code == 403
    finals = client.post(url("photosession_finals", session.pk),
                         {"files": SimpleUploadedFile("IMG_0000.jpg", jpeg(1))})
    assert finals.status_code == 403
    assert not RetouchJob.objects.filter(final__isnull=False).exists()


@pytest.mark.django_db
def test_a_client_or_anonymous_person_is_sent_to_the_login(client):
    session = services.create_session(title="Book", client=UserFactory())
    response = upload(client, session, "IMG_1.CR2", jpeg(1))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(session.client)
    assert upload(client, session, "IMG_1.CR2", jpeg(1)).status_code == 302
    assert not session.rushes.exists()


@pytest.mark.django_db
def test_the_admin_index_offers_the_studio_shortcuts(client, photographer, retoucher):
    client.force_login(photographer)
    html = client.get(reverse("admin:index")).content.decode()
    assert url("photosession_add") in html and url("retouchjob_mine") in html
    client.force_login(retoucher)
    html = client.get(reverse("admin:index")).content.decode()
    assert url("retouchjob_mine") in html and url("photosession_add") not in html
