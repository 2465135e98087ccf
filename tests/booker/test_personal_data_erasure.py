"""A person's erasure (issue 21, GDPR; booker.privacy.erase_person): from the user list of
/admin/, a photographer or a superuser confirms, and every file of the person's sessions goes
from every storage tier, their data is erased or anonymised through the registry the export
uses, and a record says who erased whom and when. The shop's part is tested in
tests/shop/test_personal_data_erasure.py, the S3 tiers in tests/storage/test_erasure_s3.py."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from booker import privacy, roles, storage
from booker.archive import services as archive
from booker.models import (
    Booking,
    Lead,
    MarketingConsent,
    PersonalDataErasure,
    PhotoSession,
    Rush,
    RushUpload,
    SelectionItem,
    User,
)
from booker.people import personal_data
from tests.booker.factories_studio import company_lead, delivered_session
from tests.booker.test_personal_data_export import client_with_everything
from tests.factories import ROLE_NAMES, CompanyFactory, SessionTypeFactory, user_with_role

pytestmark = pytest.mark.django_db

LIST = reverse("admin:booker_user_changelist")
TIERS = {
    storage.ORIGINALS: storage.originals_storage,
    storage.PROOFS: storage.proofs_storage,
    storage.ARCHIVE: storage.archive_storage,
}


@pytest.fixture
def lea() -> tuple[User, PhotoSession]:
    person, session = client_with_everything("Mariage Léa & Hugo", "203.0.113.7", "léa-only")
    User.objects.filter(pk=person.pk).update(first_name="Léa", last_name="Martinez",
                                             phone="+33 6 12 34 56 78")
    person.refresh_from_db()
    return person, session


def stored_files(session: PhotoSession) -> list[tuple[str, str]]:
    """(tier, name) of every file of the session's photos that is on its storage now."""
    names = []
    for rush in Rush.objects.filter(session=session):
        names += [(storage.ORIGINALS, rush.original.name), (storage.ARCHIVE, rush.original.name),
                  (storage.PROOFS, rush.proof.name), (storage.PROOFS, rush.thumbnail.name)]
        job = getattr(rush, "retouch_job", None)
        if job is not None and hasattr(job, "final"):
            names.append((storage.ORIGINALS, job.final.file.name))
    return [(tier, name) for tier, name in names if name and TIERS[tier]().exists(name)]


def still_there(files: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(tier, name) for tier, name in files if TIERS[tier]().exists(name)]


def erase_by_admin(client, person: User, *, confirm: bool = True):
    """The admin's confirmation posted; the worker's job it queues runs (the test settings'
    django-q2 is synchronous) once the request's transaction commits."""
    data = {"action": "erase_personal_data", "_selected_action": [person.pk], "apply": "yes"}
    if confirm:
        data["confirm"] = "on"
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(LIST, data, follow=True)


def test_the_confirmation_page_lists_what_goes_and_counts_the_files(client, lea):
    person, _session = lea
    client.force_login(user_with_role(roles.PHOTOGRAPHER))

    page = client.post(LIST, {"action": "erase_personal_data", "_selected_action": [person.pk]})

    text = page.content.decode()
    assert page.status_code == 200
    assert "Effacer les données de cette personne ?" in text
    # Three rushes (one original, one proof, one thumbnail each) and two finals.
    assert "Originaux et photos finales (en ligne) : 5" in text
    assert "Épreuves et vignettes : 6" in text
    assert "Demandes de contact (prospects) : 1" in text
    assert User.objects.get(pk=person.pk).email == person.email  # nothing happened yet


def test_erasure_deletes_every_file_of_their_sessions_from_each_tier(client, lea):
    person, session = lea
    # One of their sessions is archived: its originals live on the archive tier only.
    archived, _files = delivered_session(2, title="Fiançailles", client=person)
    archive.archive_session(archived, actor=None)
    assert {tier for tier, _name in stored_files(archived)} == {storage.ARCHIVE, storage.PROOFS,
                                                               storage.ORIGINALS}
    before = stored_files(session) + stored_files(archived)
    client.force_login(user_with_role(roles.PHOTOGRAPHER))

    response = erase_by_admin(client, person)

    assert "Effacement lancé" in response.content.decode()
    assert still_there(before) == []
    assert not Rush.objects.filter(session__in=[session, archived]).exists()
    # The sessions stay, without what named them.
    session.refresh_from_db()
    assert session.title == privacy.ERASED_TITLE and session.status == "delivered"
    record = PersonalDataErasure.objects.get(person=person)
    assert record.status == "done"
    assert record.files_confirmed and record.finished_at is not None
    assert sum(record.counts["files"].values()) == len(before)
    assert record.counts["files"][storage.ARCHIVE] == 3


@pytest.mark.parametrize("role", [roles.PHOTOGRAPHER, roles.RETOUCHER])
def test_the_persons_page_offers_the_erasure_to_whoever_may_erase(client, lea, role):
    person, _session = lea
    client.force_login(user_with_role(role))

    page = client.get(reverse("admin:booker_user_change", args=[person.pk]))

    offered = 'value="erase_personal_data"' in page.content.decode()
    assert offered is (role == roles.PHOTOGRAPHER)
    if offered:
        # The button posts the list's action: it opens the confirmation page.
        confirm = client.post(LIST, {"action": "erase_personal_data",
                                     "_selected_action": [person.pk]})
        assert "Effacer les données de cette personne ?" in confirm.content.decode()


def test_without_the_confirmation_nothing_is_erased(client, lea):
    person, session = lea
    before = stored_files(session)
    client.force_login(user_with_role(roles.PHOTOGRAPHER))

    response = erase_by_admin(client, person, confirm=False)

    assert "Cochez la case pour confirmer l&#x27;effacement." in response.content.decode()
    assert stored_files(session) == before
    assert User.objects.get(pk=person.pk).email == person.email
    assert not PersonalDataErasure.objects.exists()
    with pytest.raises(privacy.ErasureRefused):
        privacy.erase_person(person, actor=user_with_role(roles.PHOTOGRAPHER),
                             files_confirmed=False)
    assert stored_files(session) == before


def test_the_originals_guard_still_refuses_a_delete_outside_a_confirmed_erasure(lea):
    _person, session = lea
    rush = Rush.objects.filter(session=session).first()
    with pytest.raises(storage.UnsafeDelete):
        storage.originals_storage().delete(rush.original.name)
    unconfirmed = PersonalDataErasure.objects.create(files_confirmed=False)
    for erasure in (None, unconfirmed, PersonalDataErasure(files_confirmed=True)):
        with pytest.raises(storage.UnsafeDelete):
            storage.erase_file(storage.ORIGINALS, rush.original.name, erasure=erasure)
    assert storage.originals_storage().exists(rush.original.name)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_photographers_and_superusers_can_erase_a_client(client, lea, role):
    person, session = lea
    before = stored_files(session)
    client.force_login(user_with_role(role))

    erase_by_admin(client, person)

    erased = not User.objects.filter(pk=person.pk, email=person.email).exists()
    assert erased is (role in (roles.PHOTOGRAPHER, "superuser"))
    assert still_there(before) == ([] if erased else before)


def test_a_photographer_cannot_erase_a_staff_account_nor_themselves(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    colleague = user_with_role(roles.RETOUCHER)
    client.force_login(photographer)

    for person in (colleague, photographer):
        response = erase_by_admin(client, person)
        assert "Seul un superutilisateur efface" in response.content.decode()
        assert User.objects.get(pk=person.pk).is_active


def test_a_second_export_after_erasure_holds_nothing_personal(lea):
    person, session = lea
    identifiers = [person.email, "Léa", "Martinez", "+33 6 12 34 56 78", "203.0.113.7",
                   "léa-only", session.title]
    text = personal_data.export_json(person)
    assert all(word in text for word in identifiers)

    privacy.erase_person(person, actor=user_with_role("superuser"), files_confirmed=True)

    person.refresh_from_db()
    text = personal_data.export_json(person)
    for word in identifiers:
        assert word not in text, word
    data = json.loads(text)
    assert data["account"]["email"] == f"efface-{person.pk}@efface.invalid"
    assert data["account"]["is_active"] is False and data["account"]["has_password"] is False
    for name in ("leads", "marketing_consents", "selections", "downloads", "share_links",
                 "photo_files", "companies"):
        assert data[name] == [], name
    assert not Lead.objects.exists() and not MarketingConsent.objects.exists()
    # The history of the session says what happened, not to whom.
    [exported] = data["photo_sessions"]
    assert {e["name"] for e in exported["history"]} >= {"session.delivered"}


def test_the_record_and_the_history_keep_who_and_when_not_what(client, lea):
    person, _session = lea
    photographer = user_with_role(roles.PHOTOGRAPHER)
    client.force_login(photographer)

    erase_by_admin(client, person)

    record = PersonalDataErasure.objects.get()
    assert record.erased_by == photographer and record.person_id == person.pk
    assert record.counts["sections"]["leads"] == 1
    stored = json.dumps(record.counts) + str(record)
    assert "léa-only" not in stored and person.email not in stored
    entry = LogEntry.objects.filter(object_id=str(person.pk)).latest("action_time")
    assert entry.change_message.startswith("Données personnelles effacées (RGPD)")
    assert person.email not in entry.object_repr


def test_a_company_keeps_its_session_and_photos_without_the_members_comments():
    acme = CompanyFactory(name="Acme")
    session, _files = delivered_session(2, company=acme, client=None, title="Portraits Acme")
    approver = company_lead(acme)
    SelectionItem.objects.filter(selection__session=session, picked=True).update(
        comment="Recadrer — approver-only")
    files = stored_files(session)
    booking_count = Booking.objects.count()

    privacy.erase_person(approver, actor=user_with_role("superuser"), files_confirmed=True)

    session.refresh_from_db()
    assert session.title == "Portraits Acme" and session.company == acme
    assert stored_files(session) == files
    items = SelectionItem.objects.filter(selection__session=session, picked=True)
    assert items.count() == 2 and not items.exclude(comment="").exists()
    assert not acme.memberships.filter(user=approver).exists()
    assert Booking.objects.count() == booking_count


def test_their_bookings_contract_attached_files_and_stopped_uploads_go_too(lea):
    person, session = lea
    start = timezone.now() + timedelta(days=10)
    booking = Booking.objects.create(
        token="bk-erase", session_type=SessionTypeFactory(),
        photographer=user_with_role(roles.PHOTOGRAPHER), starts_at=start,
        ends_at=start + timedelta(hours=1), blocks_from=start,
        blocks_until=start + timedelta(hours=1), client=person, booked_by=person,
        price=Decimal("200"), deposit=Decimal("50"), contract_signed_name="Léa Martinez",
        contract_signed_ip="203.0.113.7", location="12 rue des Lilas",
    )
    booking.contract_pdf.save("contrat.pdf", ContentFile(b"%PDF-1.4"), save=True)
    originals = storage.originals_storage()
    plan = originals.save("bookings/bk-erase/plan.pdf", ContentFile(b"%PDF-1.4 plan"))
    Booking.objects.filter(pk=booking.pk).update(answers=[
        {"question": 1, "label": "Plan d'accès", "kind": "file", "value": plan},
        {"question": 2, "label": "Allergies", "kind": "text", "value": "Aucune — léa-only"}])
    stopped = originals.save(f"sessions/{session.pk}/originals/stopped.cr2", ContentFile(b"RAW"))
    RushUpload.objects.create(session=session, filename="IMG_9999 Léa.CR2", size=3,
                              sha256="0" * 64, key=stopped, part_size=3)
    files = [(storage.ORIGINALS, name) for name in (booking.contract_pdf.name, plan, stopped)]
    assert still_there(files) == files

    record = privacy.erase_person(person, actor=user_with_role("superuser"),
                                  files_confirmed=True)

    assert still_there(files) == []
    booking.refresh_from_db()
    assert booking.answers == [] and booking.contract_signed_name == ""
    assert booking.contract_signed_ip is None and booking.location == ""
    assert (booking.price, booking.deposit) == (Decimal("200"), Decimal("50"))
    assert not RushUpload.objects.filter(session=session).exists()
    assert record.counts["sections"]["bookings"] == 1


def test_every_exported_section_has_its_erase():
    assert personal_data.unerased_sections() == []
