"""Issue 19: the client approves the finals before delivery when the package says so. The studio
approves each retouch, sends them to the client; the client sees them unwatermarked, approves
them or returns one with a comment (back to the retoucher, a new version kept beside the old,
through the studio's review and back to the client); the studio delivers once all are
approved. A package without it delivers as before."""

from __future__ import annotations

import io
from email import message_from_bytes
from email.policy import default

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from PIL import Image

from booker import roles, services
from booker.errors import StudioError
from booker.events import Event
from booker.models import (
    FinalVersion,
    Membership,
    PhotoSession,
    RetouchJob,
    SessionEvent,
)
from booker.selectors import Action, finals_approval, session_actions
from tests.booker.factories_studio import (
    PackageFactory,
    delivered_session,
    jpeg,
    rush_ids,
)
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

Status = PhotoSession.Status
JobStatus = RetouchJob.Status

# The colour each final is painted in (the proof is the rush's, with the studio's watermark).
FINAL_COLOUR = (200, 30, 60)


def final_jpeg(version: int) -> bytes:
    img = Image.new("RGB", (80, 60), FINAL_COLOUR)
    img.putpixel((0, 0), (version, 0, 0))  # each version its own bytes
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95)
    return out.getvalue()


def approval_session(*, company=None, approves: bool = True):
    """A session booked on a package where the client approves the finals, two photos picked,
    each retouched and approved by the studio: what the studio sends to the client."""
    package = PackageFactory(client_approves_finals=approves, photos_included=2)
    photographer = user_with_role(roles.PHOTOGRAPHER)
    client = None if company is not None else UserFactory()
    session = services.create_session(title="Portraits Martin", client=client, company=company,
                                      package=package, photographer=photographer)
    for i in range(3):
        added = services.add_rush(session, io.BytesIO(jpeg(i)), f"IMG_{i:04}.CR2",
                                  enqueue=False)
        services.ingest_rush(added.rush.pk)
    services.publish_proofs(session, actor=photographer)
    chooser = client or company.memberships.get(role=Membership.Role.ADMIN).user
    for pk in rush_ids(session)[:2]:
        services.set_pick(session, pk, True, user=chooser)
    services.submit_selection(session, user=chooser)
    jobs = services.start_retouching(session, actor=photographer)
    services.upload_finals([(f"{job.rush.stem}-edit.jpg", io.BytesIO(final_jpeg(1)))
                            for job in jobs], jobs=jobs, actor=photographer)
    for job in RetouchJob.objects.filter(session=session):
        services.review_job(job, approve=True, actor=photographer)
    session.refresh_from_db()
    return session, photographer, chooser


def jobs_of(session) -> list[RetouchJob]:
    return list(RetouchJob.objects.filter(session=session).select_related("final", "rush")
                .order_by("rush__original_filename"))


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def answer(browser: Client, session, decision: str, final=None, comment: str = ""):
    data = {"decision": decision, "comment": comment}
    if final is not None:
        data["final"] = final.pk
    return browser.post(reverse("portal:finals-review", args=[session.pk]), data)


def screen(browser: Client, final):
    return browser.get(reverse("portal:final-screen", args=[final.pk]))


def centre_colour(response) -> tuple[int, int, int]:
    with Image.open(io.BytesIO(b"".join(response.streaming_content)
                               if response.streaming else response.content)) as img:
        img = img.convert("RGB")
        return img.getpixel((img.width // 2, img.height // 2))


def close_to(colour, expected, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def studio_step(photographer, session, step: str):
    return logged_in(photographer).post(
        reverse("admin:booker_photosession_step", args=[session.pk, step]))


def names(session) -> list[str]:
    return list(SessionEvent.objects.filter(session=session).values_list("name", flat=True))


# --- Without the package's flag, nothing changes ------------------------------------------------


def test_a_package_without_client_approval_delivers_as_before():
    session, photographer, _client = approval_session(approves=False)
    assert session.client_approves_finals is False
    actions = session_actions(session, photographer)
    assert Action.DELIVER in actions and Action.SEND_FOR_APPROVAL not in actions
    services.deliver(session, actor=photographer)
    assert session.status == Status.DELIVERED
    with pytest.raises(StudioError):
        services.send_finals_for_approval(session, actor=photographer)


def test_the_delivered_session_factory_still_delivers_without_approval():
    session, _files = delivered_session()
    assert session.status == Status.DELIVERED and not session.client_approves_finals


def test_the_flag_is_copied_from_the_package_at_booking_and_changing_the_package_changes_no_sale():
    session, _photographer, _client = approval_session()
    assert session.client_approves_finals is True
    session.package.client_approves_finals = False
    session.package.save()
    session.refresh_from_db()
    assert session.client_approves_finals is True


# --- The whole road ---------------------------------------------------------------------------


def test_send_approve_one_return_one_rework_resend_approve_then_deliver(
        django_capture_on_commit_callbacks):
    session, photographer, client = approval_session()
    browser = logged_in(client)
    first, second = jobs_of(session)

    # The studio's "Livrer" is "Envoyer au client pour validation" until the client approves.
    actions = session_actions(session, photographer)
    assert Action.SEND_FOR_APPROVAL in actions and Action.DELIVER not in actions
    with pytest.raises(StudioError):
        services.deliver(session, actor=photographer)
    studio = logged_in(photographer).get(
        reverse("admin:booker_photosession_studio", args=[session.pk])).content.decode()
    assert "Envoyer au client pour validation" in studio and "Livrer au client" not in studio
    # Not yet sent: the client sees no final.
    assert screen(browser, first.final).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = studio_step(photographer, session, "send-for-approval")
    assert response.status_code == 302
    assert Event.FINALS_SENT_FOR_APPROVAL in names(session)

    # The client's page shows both finals unwatermarked (the final's own pixels, not the proof).
    page = browser.get(reverse("portal:session", args=[session.pk]))
    assert page.status_code == 200
    for job in (first, second):
        assert reverse("portal:final-screen", args=[job.final.pk]) in page.content.decode()
        shown = screen(browser, job.final)
        assert shown.status_code == 200
        assert close_to(centre_colour(shown), FINAL_COLOUR)
    # …but no download, HD or web: nothing is delivered (nor paid for) yet.
    for door in ("portal:final-download", "portal:final-web-download"):
        assert browser.get(reverse(door, args=[first.final.pk])).status_code == 404
    assert browser.get(reverse("portal:delivery-zip", args=[session.pk])).status_code == 404

    answer(browser, session, "approve", first.final)
    with django_capture_on_commit_callbacks(execute=True):
        answer(browser, session, "change", second.final, comment="Moins de contraste, svp")
    second.refresh_from_db()
    assert second.status == JobStatus.CHANGES_REQUESTED
    assert second.review_note == "Moins de contraste, svp" and second.review_by_client
    assert Event.CLIENT_CHANGES_REQUESTED in names(session)
    assert finals_approval(session).approved == 1
    with pytest.raises(StudioError):
        services.deliver(session, actor=photographer)
    # The returned photo is gone from the client's eyes until its new version comes back.
    assert screen(browser, second.final).status_code == 404

    # The retoucher's new version: the first is kept; the studio reviews it, then sends it.
    services.upload_finals([("IMG_0001-edit.jpg", io.BytesIO(final_jpeg(2)))],
                           jobs=[second], actor=photographer)
    second.refresh_from_db()
    assert second.status == JobStatus.IN_REVIEW and second.final.version == 2
    kept = FinalVersion.objects.get(job=second, version=1)
    assert kept.review_note == "Moins de contraste, svp" and kept.review_by_client
    queue = logged_in(photographer).get(
        reverse("admin:booker_retouchjob_review")).content.decode()
    assert "Le client demande : « Moins de contraste, svp »" in queue
    services.review_job(second, approve=True, actor=photographer)
    assert screen(browser, second.final).status_code == 404  # approved by the studio, not sent
    assert Action.SEND_FOR_APPROVAL in session_actions(session, photographer)
    assert services.send_finals_for_approval(session, actor=photographer) == 1
    assert screen(browser, second.final).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        answer(browser, session, "approve", second.final)
    assert Event.FINALS_CLIENT_APPROVED in names(session)
    assert finals_approval(session).all_approved
    actions = session_actions(session, photographer)
    assert Action.DELIVER in actions and Action.SEND_FOR_APPROVAL not in actions
    studio = logged_in(photographer).get(
        reverse("admin:booker_photosession_studio", args=[session.pk])).content.decode()
    assert "Livrer au client" in studio and "2 sur 2 validées par le client" in studio
    studio_step(photographer, session, "deliver")
    session.refresh_from_db()
    assert session.status == Status.DELIVERED


def test_the_client_approves_every_waiting_photo_at_once():
    session, photographer, client = approval_session()
    services.send_finals_for_approval(session, actor=photographer)
    answer(logged_in(client), session, "approve-all")
    assert finals_approval(session).all_approved
    services.deliver(session, actor=photographer)
    assert session.status == Status.DELIVERED


def test_nothing_is_sent_before_every_retouch_is_approved_by_the_studio():
    session, photographer, _client = approval_session()
    first = jobs_of(session)[0]
    services.move_job(first, JobStatus.CHANGES_REQUESTED, actor=photographer)
    with pytest.raises(StudioError):
        services.send_finals_for_approval(session, actor=photographer)


def test_a_change_without_a_comment_is_refused_and_nothing_moves():
    session, photographer, client = approval_session()
    services.send_finals_for_approval(session, actor=photographer)
    job = jobs_of(session)[0]
    answer(logged_in(client), session, "change", job.final, comment="   ")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.review_note == ""


def test_the_studio_s_own_return_is_not_marked_as_the_client_s():
    session, photographer, client = approval_session()
    services.send_finals_for_approval(session, actor=photographer)
    job = jobs_of(session)[0]
    services.client_review_final(session, job.final.pk, user=client, approve=False,
                                 comment="Plus chaud")
    services.upload_finals([("IMG_0000-edit.jpg", io.BytesIO(final_jpeg(3)))], jobs=[job],
                           actor=photographer)
    job.refresh_from_db()
    services.review_job(job, approve=False, actor=photographer, note="Le fond est taché")
    job.refresh_from_db()
    assert job.review_note == "Le fond est taché" and not job.review_by_client


# --- Who may answer ---------------------------------------------------------------------------


@pytest.fixture
def company_session():
    from booker.models import Company

    company = Company.objects.create(name="Acme")
    admin = UserFactory()
    Membership.objects.create(company=company, user=admin, role=Membership.Role.ADMIN)
    member = UserFactory()
    Membership.objects.create(company=company, user=member, role=Membership.Role.MEMBER)
    session, photographer, _admin = approval_session(company=company)
    services.send_finals_for_approval(session, actor=photographer)
    return session, admin, member


def test_a_plain_company_member_can_neither_see_nor_approve_the_finals(company_session):
    session, _admin, member = company_session
    browser = logged_in(member)
    job = jobs_of(session)[0]
    assert answer(browser, session, "approve", job.final).status_code == 404
    assert answer(browser, session, "approve-all").status_code == 404
    assert screen(browser, job.final).status_code == 404
    assert "portal:final-screen" not in browser.get(
        reverse("portal:session", args=[session.pk])).content.decode()
    assert not finals_approval(session).approved
    with pytest.raises(StudioError):
        services.client_review_final(session, job.final.pk, user=member, approve=True)


def test_the_company_s_admin_approves_for_it(company_session):
    session, admin, _member = company_session
    browser = logged_in(admin)
    job = jobs_of(session)[0]
    assert screen(browser, job.final).status_code == 200
    answer(browser, session, "approve", job.final)
    assert finals_approval(session).approved == 1


def test_another_client_gets_404_everywhere():
    session, photographer, _client = approval_session()
    services.send_finals_for_approval(session, actor=photographer)
    stranger = logged_in(UserFactory())
    job = jobs_of(session)[0]
    assert answer(stranger, session, "approve", job.final).status_code == 404
    assert screen(stranger, job.final).status_code == 404
    assert stranger.get(reverse("portal:session", args=[session.pk])).status_code == 404
    assert not finals_approval(session).approved


# --- What people are told ----------------------------------------------------------------------


def sent_to(address: str) -> list:
    return [message_from_bytes(m.message().as_bytes(), policy=default) for m in mail.outbox
            if address in m.to]


def test_the_client_is_asked_to_approve_and_the_photographer_hears_their_answer(
        django_capture_on_commit_callbacks):
    session, photographer, client = approval_session()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_finals_for_approval(session, actor=photographer)
    services.send_due_messages()
    assert any("Vos photos retouchées sont à valider" in str(m["Subject"])
               for m in sent_to(client.email))
    first, second = jobs_of(session)
    with django_capture_on_commit_callbacks(execute=True):
        services.client_review_final(session, second.final.pk, user=client, approve=False,
                                     comment="Recadrer plus serré")
    services.send_due_messages()
    told = [m for m in sent_to(photographer.email)
            if "Modification demandée" in str(m["Subject"])]
    assert told and "Recadrer plus serré" in told[0].get_body(("plain",)).get_content()
