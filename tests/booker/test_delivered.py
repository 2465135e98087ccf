"""The delivered photos (issue 19): web copies made by the worker, the sizes the package
unlocks (HD, web, both) and their logged downloads, the photos shown without watermark to
their owner, and the view-only family link (/partage/<token>/)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from booker import services
from booker.delivery import library
from booker.delivery import services as delivery
from booker.events import Event
from booker.models import (
    Delivery,
    DownloadLog,
    FinalPhoto,
    HiddenPhoto,
    Membership,
    Package,
    PhotoSession,
    SessionEvent,
    ShareLink,
)
from booker.sessions.machine import transition
from booker.sessions.models import DeliverySizes
from tests.booker.factories_studio import delivered_session
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def finals_of(session: PhotoSession) -> list[FinalPhoto]:
    return list(FinalPhoto.objects.filter(job__session=session).order_by("original_filename"))


def web_copy_exists(final: FinalPhoto) -> bool:
    storage = library.Rush._meta.get_field("proof").storage
    return storage.exists(library.web_key(final))


def set_sizes(session: PhotoSession, sizes: str) -> None:
    PhotoSession.objects.filter(pk=session.pk).update(delivery_sizes=sizes)
    session.refresh_from_db()


def company_session():
    company = CompanyFactory(name="Acme")
    people = {role: MembershipFactory(company=company, role=role).user
              for role in (Role.ADMIN, Role.APPROVER, Role.MEMBER)}
    session, _ = delivered_session(2, company=company, client=None, title="Séminaire")
    return session, people


# --- Web copies made by the worker -------------------------------------------------------------


def test_delivering_queues_the_web_copies_and_the_worker_makes_them(
        django_capture_on_commit_callbacks):
    # The test cluster runs tasks at once (Q_CLUSTER sync): the task ran when the event's
    # subscriber queued it after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        session, _ = delivered_session(2)
    finals = finals_of(session)
    assert len(finals) == 2
    assert all(web_copy_exists(f) for f in finals)


def test_without_the_task_the_web_copy_is_made_on_first_ask(client):
    session, _ = delivered_session(1)
    final = finals_of(session)[0]
    assert not web_copy_exists(final)
    client.force_login(session.client)
    response = client.get(reverse("portal:final-screen", args=[final.pk]))
    assert response.status_code == 200
    assert web_copy_exists(final)


def test_a_corrupt_final_fails_alone_in_the_task(caplog):
    session, _ = delivered_session(2)
    broken, good = finals_of(session)
    with broken.file.storage.open(broken.file.name, "wb") as handle:
        handle.write(b"not a picture at all")
    report = delivery.make_web_copies(session.pk)
    assert report.made == 1
    assert report.failed == [broken.pk]
    assert web_copy_exists(good) and not web_copy_exists(broken)
    assert f"Web copy of final {broken.pk}" in caplog.text


def test_a_final_approved_after_the_delivery_gets_its_web_copy(
        django_capture_on_commit_callbacks):
    session, _ = delivered_session(1)
    final = finals_of(session)[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.record_event(session, Event.JOB_DONE, actor=None, job=final.job_id)
    assert web_copy_exists(final)


# --- Sizes: HD, web, both -----------------------------------------------------------------------


def test_a_session_takes_its_sizes_from_its_package():
    package = Package.objects.create(name="Web", delivery_sizes=DeliverySizes.WEB)
    session = services.create_session(title="S", client=UserFactory(), package=package)
    assert session.delivery_sizes == DeliverySizes.WEB
    assert PhotoSession._meta.get_field("delivery_sizes").default == DeliverySizes.BOTH


def test_the_web_size_is_downloaded_and_logged_as_web(client):
    session, _ = delivered_session(2)
    final = finals_of(session)[0]
    client.force_login(session.client)
    response = client.get(reverse("portal:final-web-download", args=[final.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "-web.jpg" in response["Content-Disposition"]
    log = DownloadLog.objects.get()
    assert (log.final, log.size, log.user) == (final, DownloadLog.Size.WEB, session.client)


def test_the_web_zip_holds_every_web_copy_and_is_logged_as_web(client):
    session, _ = delivered_session(2)
    client.force_login(session.client)
    response = client.get(reverse("portal:delivery-web-zip", args=[session.pk]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert sorted(archive.namelist()) == ["IMG_0000-web.jpg", "IMG_0001-web.jpg"]
    assert archive.testzip() is None
    log = DownloadLog.objects.get()
    assert (log.final, log.size) == (None, DownloadLog.Size.WEB)


def test_a_web_only_package_never_unlocks_the_hd_file(client, photographer):
    session, _ = delivered_session(1)
    set_sizes(session, DeliverySizes.WEB)
    final = finals_of(session)[0]
    client.force_login(session.client)
    assert client.get(reverse("portal:final-download", args=[final.pk])).status_code == 404
    assert client.get(reverse("portal:delivery-zip", args=[session.pk])).status_code == 404
    assert client.get(reverse("portal:final-web-download", args=[final.pk])).status_code == 200
    page = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    assert reverse("portal:final-download", args=[final.pk]) not in page
    assert reverse("portal:final-web-download", args=[final.pk]) in page
    # The studio still gets its own file.
    client.force_login(photographer)
    assert client.get(reverse("portal:final-download", args=[final.pk])).status_code == 200


def test_an_hd_only_package_offers_no_web_download(client):
    session, _ = delivered_session(1)
    set_sizes(session, DeliverySizes.HD)
    final = finals_of(session)[0]
    client.force_login(session.client)
    assert client.get(reverse("portal:final-web-download", args=[final.pk])).status_code == 404
    assert client.get(reverse("portal:delivery-web-zip", args=[session.pk])).status_code == 404
    page = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    assert reverse("portal:final-web-download", args=[final.pk]) not in page
    assert reverse("portal:final-download", args=[final.pk]) in page


def test_web_downloads_close_with_the_delivery(client):
    session, _ = delivered_session(1)
    Delivery.objects.filter(session=session).update(expires_at=timezone.now() - timedelta(1))
    final = finals_of(session)[0]
    client.force_login(session.client)
    assert client.get(reverse("portal:final-web-download", args=[final.pk])).status_code == 410
    assert client.get(reverse("portal:delivery-web-zip", args=[session.pk])).status_code == 410
    assert not DownloadLog.objects.exists()


def test_another_client_gets_no_web_size(client):
    session, _ = delivered_session(1)
    final = finals_of(session)[0]
    client.force_login(UserFactory())
    assert client.get(reverse("portal:final-web-download", args=[final.pk])).status_code == 404
    assert client.get(reverse("portal:delivery-web-zip", args=[session.pk])).status_code == 404


# --- The delivered page: the photos themselves, no watermark ----------------------------------


def test_the_delivered_page_shows_the_finals_unwatermarked_with_hd_and_web_downloads(client):
    session, _ = delivered_session(2)
    client.force_login(session.client)
    page = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    for final in finals_of(session):
        assert reverse("portal:final-screen", args=[final.pk]) in page
        assert reverse("portal:final-download", args=[final.pk]) in page
        assert reverse("portal:final-web-download", args=[final.pk]) in page
        # Never the watermarked proof, nor its thumbnail.
        assert reverse("portal:rush-proof", args=[final.job.rush_id]) not in page
        assert reverse("portal:rush-thumb", args=[final.job.rush_id]) not in page
    assert "Télécharger" in page
    assert reverse("portal:delivery-web-zip", args=[session.pk]) in page


def test_a_hidden_photo_is_not_on_a_members_delivered_page(client):
    session, people = company_session()
    hidden, shown = finals_of(session)
    HiddenPhoto.objects.create(final=hidden)
    client.force_login(people[Role.MEMBER])
    page = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    assert reverse("portal:final-screen", args=[shown.pk]) in page
    assert reverse("portal:final-screen", args=[hidden.pk]) not in page


# --- Family share links ------------------------------------------------------------------------


def share(client, session, user) -> ShareLink:
    client.force_login(user)
    response = client.post(reverse("portal:share-create", args=[session.pk]))
    assert response.status_code == 302
    return ShareLink.objects.filter(session=session).latest("created_at")


def test_the_client_shares_and_a_logged_out_visitor_sees_the_web_copies_only(client):
    session, _ = delivered_session(2)
    link = share(client, session, session.client)
    assert len(link.token) >= 32
    assert link.expires_at - link.created_at == timedelta(days=delivery.SHARE_DAYS)
    page = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    assert link.token in page  # the client sees the link to copy
    client.logout()
    response = client.get(reverse("share:page", args=[link.token]))
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "no-referrer"
    text = response.content.decode()
    for final in finals_of(session):
        photo_url = reverse("share:photo", args=[link.token, final.pk])
        assert photo_url in text
        assert reverse("portal:final-download", args=[final.pk]) not in text
        photo = client.get(photo_url)
        assert photo.status_code == 200
        assert body(photo) == library.web_copy(final).read()
        assert photo["X-Robots-Tag"].startswith("noindex")
    assert "Télécharger" not in text
    link.refresh_from_db()
    assert link.view_count == 1
    assert SessionEvent.objects.filter(session=session, name=Event.SHARE_CREATED).exists()


def test_only_the_sessions_client_may_share(client):
    session, _ = delivered_session(1)
    client.force_login(UserFactory())
    assert client.post(reverse("portal:share-create", args=[session.pk])).status_code == 404
    assert not ShareLink.objects.exists()


def test_a_companys_admins_and_approvers_share_its_members_do_not(client):
    session, people = company_session()
    for role in (Role.ADMIN, Role.APPROVER):
        share(client, session, people[role])
    assert ShareLink.objects.count() == 2
    client.force_login(people[Role.MEMBER])
    assert client.post(reverse("portal:share-create", args=[session.pk])).status_code == 404
    page = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    assert reverse("portal:share-create", args=[session.pk]) not in page
    outsider = MembershipFactory(company=CompanyFactory(), role=Role.ADMIN).user
    client.force_login(outsider)
    assert client.post(reverse("portal:share-create", args=[session.pk])).status_code == 404
    assert ShareLink.objects.count() == 2


def test_a_revoked_link_answers_410_page_and_photos(client):
    session, _ = delivered_session(1)
    link = share(client, session, session.client)
    final = finals_of(session)[0]
    response = client.post(reverse("portal:share-revoke", args=[session.pk, link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert SessionEvent.objects.filter(session=session, name=Event.SHARE_REVOKED).exists()
    client.logout()
    page = client.get(reverse("share:page", args=[link.token]))
    assert page.status_code == 410
    assert "Ce lien est fermé" in page.content.decode()
    assert client.get(reverse("share:photo", args=[link.token, final.pk])).status_code == 410


def test_another_client_cannot_revoke_a_link(client):
    session, _ = delivered_session(1)
    link = share(client, session, session.client)
    client.force_login(UserFactory())
    assert client.post(reverse("portal:share-revoke",
                               args=[session.pk, link.pk])).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_an_expired_link_answers_410(client):
    session, _ = delivered_session(1)
    link = share(client, session, session.client)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    assert client.get(reverse("share:page", args=[link.token])).status_code == 410


def test_a_link_closes_with_the_deliverys_downloads(client):
    session, _ = delivered_session(1)
    link = share(client, session, session.client)
    Delivery.objects.filter(session=session).update(expires_at=timezone.now() - timedelta(1))
    client.logout()
    assert client.get(reverse("share:page", args=[link.token])).status_code == 410


def test_an_unknown_token_is_a_404(client):
    assert client.get(reverse("share:page", args=["nope" * 8])).status_code == 404


def test_a_removed_approvers_link_dies(client):
    session, people = company_session()
    link = share(client, session, people[Role.APPROVER])
    Membership.objects.filter(user=people[Role.APPROVER]).delete()
    client.logout()
    assert client.get(reverse("share:page", args=[link.token])).status_code == 410


def test_a_link_shows_only_what_its_creator_sees_then_and_now(client):
    session, people = company_session()
    hidden, shown = finals_of(session)
    HiddenPhoto.objects.create(final=hidden)
    # An approver does not see hidden photos: the link made by them does not hold it.
    link = share(client, session, people[Role.APPROVER])
    assert list(link.finals.all()) == [shown]
    client.logout()
    assert client.get(reverse("share:photo", args=[link.token, hidden.pk])).status_code == 404
    # Hidden after the share: gone from the link too.
    HiddenPhoto.objects.create(final=shown)
    text = client.get(reverse("share:page", args=[link.token])).content.decode()
    assert reverse("share:photo", args=[link.token, shown.pk]) not in text
    assert client.get(reverse("share:photo", args=[link.token, shown.pk])).status_code == 404


def test_a_photo_of_another_session_is_not_served_through_a_link(client):
    session, _ = delivered_session(1)
    other, _ = delivered_session(1)
    link = share(client, session, session.client)
    client.logout()
    foreign = finals_of(other)[0]
    assert client.get(reverse("share:photo", args=[link.token, foreign.pk])).status_code == 404


# --- Archive and expiry ------------------------------------------------------------------------


def test_archiving_the_originals_leaves_the_downloads_and_links_open_until_the_expiry(client):
    """The archive (BOOKER_ARCHIVE_AFTER_DAYS after delivery) moves the originals only: the
    finals and their web copies stay online, so the downloads and the family links keep
    their own closing date, which the archive never brings forward."""
    session, _ = delivered_session(1)
    link = share(client, session, session.client)
    transition(session, PhotoSession.Status.ARCHIVED, actor=None)
    final = finals_of(session)[0]
    assert client.get(reverse("portal:final-download", args=[final.pk])).status_code == 200
    assert client.get(reverse("portal:final-web-download", args=[final.pk])).status_code == 200
    client.logout()
    assert client.get(reverse("share:page", args=[link.token])).status_code == 200


def test_the_family_page_is_throttled_per_address(client, settings):
    session, _ = delivered_session(1)
    link = share(client, session, session.client)
    client.logout()
    settings.BOOKE_RATE_LIMITS = {**settings.BOOKE_RATE_LIMITS, "share_view": {"ip": "2/h"}}
    url = reverse("share:page", args=[link.token])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
