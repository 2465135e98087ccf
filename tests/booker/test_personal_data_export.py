"""A person's data export (issue 21, GDPR): from the user list of /admin/, a photographer or a
superuser downloads everything the studio holds about one person as JSON (booker.people
.personal_data; the shop's part is tested in tests/shop/test_personal_data_export.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from booker import roles
from booker.delivery import services as delivery
from booker.models import (
    Booking,
    DownloadLog,
    Invitation,
    Lead,
    MarketingConsent,
    Message,
    PhotoSession,
    SelectionItem,
    SessionEvent,
    User,
    WebhookEndpoint,
)
from booker.people import personal_data
from tests.booker.factories_studio import company_lead, delivered_session
from tests.factories import (
    ROLE_NAMES,
    CompanyFactory,
    MembershipFactory,
    SessionTypeFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

LIST = reverse("admin:booker_user_changelist")


def client_with_everything(title: str, ip: str, words: str) -> tuple[User, PhotoSession]:
    """A client with a delivered session (picks, a comment), a download, a share link, a lead
    and a confirmed newsletter consent; `ip` and `words` are theirs alone."""
    session, _files = delivered_session(2, title=title)
    person = session.client
    SelectionItem.objects.filter(selection__session=session, picked=True).update(
        comment=f"Plus de lumière — {words}")
    DownloadLog.objects.create(delivery=session.delivery, user=person, ip_address=ip,
                               user_agent="Firefox")
    delivery.create_share_link(session, user=person)
    Lead.objects.create(email=person.email, name="Léa", message=f"Bonjour, {words}",
                        source="Formulaire de contact")
    now = timezone.now()
    MarketingConsent.objects.create(
        email=person.email, status=MarketingConsent.Status.CONFIRMED,
        consent_text=f"J'accepte la lettre — {words}", ip_hash=f"hash-{words}",
        token_hash=f"tokenhash{words}" * 2, requested_at=now, confirmed_at=now,
        source_url="/newsletter/")
    Message.objects.create(key=f"delivered-{person.pk}", action="email", user=person,
                           recipient=person.email, template_key="session-delivered",
                           subject=f"Vos photos sont prêtes — {words}", session=session,
                           status=Message.Status.SENT, sent_at=now)
    return person, session


@pytest.fixture
def lea() -> tuple[User, PhotoSession]:
    return client_with_everything("Mariage Léa & Hugo", "203.0.113.7", "léa-only")


@pytest.fixture
def other() -> tuple[User, PhotoSession]:
    return client_with_everything("Baptême de Noé", "198.51.100.99", "noé-only")


def export_by_admin(client, person: User):
    return client.post(LIST, {"action": "export_personal_data", "_selected_action": [person.pk]})


def test_the_export_holds_the_account_session_picks_delivery_downloads_and_consent(lea):
    person, session = lea
    data = personal_data.export(person)

    assert data["account"]["email"] == person.email
    assert data["account"]["first_name"] == person.first_name
    [exported] = data["photo_sessions"]
    assert exported["id"] == session.pk and exported["status"] == "delivered"
    assert {e["name"] for e in exported["history"]} >= {"session.delivered",
                                                        "session.selection_submitted"}
    picks = [item for item in data["selections"] if item["picked"]]
    assert len(picks) == 2 and all("léa-only" in item["comment"] for item in picks)
    assert data["deliveries"][0]["session_id"] == session.pk
    assert data["downloads"][0]["ip_address"] == "203.0.113.7"
    assert data["share_links"][0]["photos"] == 2
    [consent] = data["marketing_consents"]
    assert consent["status"] == "confirmed" and "léa-only" in consent["consent_text"]
    assert consent["ip_hash"] == "hash-léa-only" and consent["confirmed_at"] is not None
    assert "léa-only" in data["leads"][0]["message"]
    [email] = data["emails_sent"]
    assert email["status"] == "sent" and "léa-only" in email["subject"]
    kinds = {f["kind"] for f in data["photo_files"]}
    assert kinds == {"original", "final"}
    assert all(f["storage_tier"] == "online" and f["size"] > 0 for f in data["photo_files"])


def test_the_export_holds_nothing_of_another_client(lea, other):
    person, _session = lea
    someone, their_session = other

    text = personal_data.export_json(person)

    for theirs in (someone.email, their_session.title, "198.51.100.99", "noé-only"):
        assert theirs not in text
    data = json.loads(text)
    session_ids = {s["id"] for s in data["photo_sessions"]}
    for name in ("selections", "deliveries", "downloads", "share_links", "photo_files"):
        session_ids |= {row["session_id"] for row in data[name]}
    assert their_session.pk not in session_ids


def test_no_secret_appears_anywhere_in_the_export(lea):
    person, session = lea
    totp = TOTPDevice.objects.create(user=person, name="Téléphone", confirmed=True)
    static = StaticDevice.objects.create(user=person, name="Codes", confirmed=True)
    static.token_set.create(token="rcvy1234")
    invitation = Invitation.objects.create(user=person, expires_at=timezone.now()
                                           + timedelta(days=3), nonce="n0nc3" * 6)
    # A booking's events carry its token (booker.booking.machine.announce).
    SessionEvent.objects.create(session=session, subject="booking:1", user=person,
                                name="booking.confirmed", payload={"booking": "bk-t0ken-xyz"})
    hook = WebhookEndpoint.objects.create(url="https://crm.example.test/hook")
    # A booking: its token names its contract's PDF and its questionnaire's files.
    start = timezone.now() + timedelta(days=10)
    booking = Booking.objects.create(
        token="bk-t0ken-xyz", session_type=SessionTypeFactory(),
        photographer=user_with_role(roles.PHOTOGRAPHER), starts_at=start,
        ends_at=start + timedelta(hours=1), blocks_from=start,
        blocks_until=start + timedelta(hours=1), client=person, booked_by=person,
        price=Decimal("200"), deposit=Decimal("50"), contract_signed_name="Léa Martin",
        contract_signed_at=timezone.now(), contract_signed_ip="203.0.113.7",
        answers=[{"question": 1, "label": "Plan d'accès", "kind": "file",
                  "value": "bookings/bk-t0ken-xyz/plan.pdf"}],
    )
    booking.contract_pdf.save("contrat.pdf", ContentFile(b"%PDF-1.4"), save=True)
    link = session.share_links.get()
    consent = MarketingConsent.objects.get(email=person.email)

    text = personal_data.export_json(person)

    secrets = [person.password, totp.key, "rcvy1234", invitation.nonce, "bk-t0ken-xyz",
               hook.secret, link.token, consent.token_hash]
    for secret in secrets:
        assert secret and secret not in text
    data = json.loads(text)
    assert data["account"]["second_factor"]["authenticator_app"] is True
    [exported] = data["bookings"]
    assert exported["contract_signed_ip"] == "203.0.113.7" and exported["has_contract_pdf"]
    assert exported["answers"][0]["value"] == "plan.pdf"


def test_a_company_member_gets_their_membership_and_their_picks_not_the_companys_notes():
    acme = CompanyFactory(name="Acme")
    session, _files = delivered_session(2, company=acme, client=None, title="Portraits Acme")
    PhotoSession.objects.filter(pk=session.pk).update(notes="Client exigeant")
    approver = company_lead(acme)
    member = MembershipFactory(company=acme).user

    theirs = personal_data.export(approver)
    [exported] = theirs["photo_sessions"]
    assert exported["owner"] == "company" and exported["studio_notes"] == ""
    assert theirs["companies"][0]["name"] == "Acme"
    assert theirs["companies"][0]["role"] == "approver"
    assert len([i for i in theirs["selections"] if i["picked_by_them"]]) == 2
    # The company's deliveries and files are the company's, not the approver's.
    assert theirs["deliveries"] == [] and theirs["photo_files"] == []

    others = personal_data.export(member)
    assert others["companies"][0]["role"] == "member"
    assert others["photo_sessions"] == [] and others["selections"] == []


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_photographers_and_superusers_can_export_a_client(client, lea, role):
    person, _session = lea
    client.force_login(user_with_role(role))

    response = export_by_admin(client, person)

    allowed = role in (roles.PHOTOGRAPHER, "superuser")
    is_file = response.get("Content-Disposition", "").startswith("attachment")
    assert is_file is allowed
    if allowed:
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert json.loads(response.content)["account"]["email"] == person.email
        # The account's history says who handed out its data, in French like the admin.
        from django.contrib.admin.models import LogEntry

        entry = LogEntry.objects.filter(object_id=str(person.pk)).latest("action_time")
        assert entry.change_message == "Données personnelles exportées (RGPD)."


def test_a_photographer_cannot_export_a_staff_account_a_superuser_can(client):
    colleague = user_with_role(roles.RETOUCHER)
    client.force_login(user_with_role(roles.PHOTOGRAPHER))
    refused = export_by_admin(client, colleague)
    assert "Content-Disposition" not in refused

    client.force_login(user_with_role("superuser"))
    response = export_by_admin(client, colleague)
    assert json.loads(response.content)["account"]["roles"] == [roles.RETOUCHER]


def test_the_export_is_one_person_at_a_time(client):
    client.force_login(user_with_role(roles.PHOTOGRAPHER))
    two = [UserFactory().pk, UserFactory().pk]
    response = client.post(LIST, {"action": "export_personal_data", "_selected_action": two},
                           follow=True)
    assert "Content-Disposition" not in response
    assert "une seule personne" in response.content.decode()


def queries_of_export(person: User) -> int:
    with CaptureQueriesContext(connection) as queries:
        personal_data.export_json(person)
    return len(queries)


def test_the_export_reads_in_as_many_queries_for_three_sessions_as_for_one(
        lea, django_assert_max_num_queries):
    person, _session = lea
    one = queries_of_export(person)
    for title in ("Portrait de famille", "Fiançailles"):
        more, _files = delivered_session(2, title=title, client=person)
        DownloadLog.objects.create(delivery=more.delivery, user=person, ip_address="203.0.113.7")
        delivery.create_share_link(more, user=person)

    with django_assert_max_num_queries(one):
        data = personal_data.export(person)
    assert len(data["photo_sessions"]) == 3
