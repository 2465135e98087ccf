"""Online booking on a phone, clicked as a visitor does (issue 17): a portrait from the list of
sessions, a day of the month, a time; the questions, an account made on the way, the contract
signed; the deposit paid by card on (a local fake of) Stripe's page through the shop; the
confirmation, and its email with the contract PDF and the calendar invitation; then the session
moved to another day from the client's portal.

Each step is photographed into BOOKING_SHOTS (default /work/shots/booking/ when it exists, else
the test's tmp_path): the pages must read well on a 390px screen, in French."""

from __future__ import annotations

import os
import re
from datetime import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests import stripe_fake

PASSWORD = "Un-Portrait-En-Studio-2027"


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("BOOKING_SHOTS", "/work/shots/booking"))
    if not folder.parent.is_dir():
        folder = tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def stripe_server(settings):
    with stripe_fake.FakeStripe() as server:
        settings.STRIPE_SECRET_KEY = stripe_fake.SECRET_KEY
        settings.STRIPE_WEBHOOK_SECRET = stripe_fake.WEBHOOK_SECRET
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_CHECKOUT_ORIGIN = server.url
        yield server


def snap(page: Page, shots: Path, name: str) -> None:
    # Nothing sticks out of a phone's width.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the phone"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_books_a_portrait_pays_the_deposit_and_moves_it_from_the_portal(
    phone, serial_live_server, stripe_server, shots
):
    from booker import roles, services
    from booker.models import Booking, BookingQuestion, WeeklyHours
    from tests.factories import SessionTypeFactory, user_with_role

    services.ensure_defaults()  # the engine's rules, the confirmation email among them
    photographer = user_with_role(roles.PHOTOGRAPHER, first_name="Marie", last_name="Durand")
    for weekday in range(7):
        WeeklyHours.objects.create(photographer=photographer, weekday=weekday, start=time(9),
                                   end=time(18))
    portrait = SessionTypeFactory(
        name="Portrait en studio", slug="portrait", summary="Une heure au studio, 10 photos.",
        price=Decimal("150"), deposit_amount=Decimal("50"), minimum_notice_hours=24,
        horizon_days=60, cancellation_policy="Acompte remboursé jusqu'à 7 jours avant.",
    )
    portrait.photographers.add(photographer)
    BookingQuestion.objects.create(session_type=portrait, label="Pour quelle occasion ?",
                                   kind=BookingQuestion.Kind.TEXT, required=True)
    BookingQuestion.objects.create(session_type=portrait, label="Combien de personnes ?",
                                   kind=BookingQuestion.Kind.CHOICE, choices="1\n2\n3 ou plus",
                                   required=False, order=1)

    # 1. The sessions, a day, a time.
    phone.goto("/reserver/")
    expect(phone.locator("h1")).to_have_text("Réserver une séance")
    expect(phone.locator(".type-card")).to_contain_text("150,00 €")
    snap(phone, shots, "01-seances")
    phone.get_by_role("link", name="Voir les créneaux libres").click()
    expect(phone.locator("h1")).to_have_text("Portrait en studio")
    snap(phone, shots, "02-mois")
    # Next month, its eighth free day: far enough ahead to be moved online afterwards.
    phone.get_by_role("link", name="Mois suivant").click()
    phone.locator("a.day.free").nth(7).click()
    expect(phone.locator("#creneaux button.slot").first).to_be_visible()
    snap(phone, shots, "03-jour")
    phone.locator("#creneaux button.slot").first.click()

    # 2. The questions, with the slot held a few minutes.
    expect(phone).to_have_url(re.compile(r"/reserver/r/[\w-]+/questions/$"))
    token = re.search(r"/reserver/r/([\w-]+)/", phone.url).group(1)
    expect(phone.locator(".hold")).to_contain_text("Créneau réservé jusqu’à")
    expect(phone.locator(".hold-left")).to_contain_text("min")
    phone.get_by_label("Pour quelle occasion ?").fill("Un portrait pour mon site")
    phone.get_by_label("2", exact=True).check()
    snap(phone, shots, "04-questions")
    phone.get_by_role("button", name="Continuer").click()

    # 3. An account, made on the way.
    expect(phone).to_have_url(re.compile(r"/compte/$"))
    phone.locator("#id_first_name").fill("Léa")
    phone.locator("#id_last_name").fill("Martin")
    phone.locator("#id_email").fill("lea@example.test")
    phone.locator("#id_phone").fill("06 12 34 56 78")
    phone.locator("#id_password").fill(PASSWORD)
    snap(phone, shots, "05-compte")
    phone.get_by_role("button", name="Créer mon compte et continuer").click()

    # 4. The contract.
    expect(phone).to_have_url(re.compile(r"/contrat/$"))
    expect(phone.locator(".contract-text")).to_contain_text("Portrait en studio")
    expect(phone.locator("#id_name")).to_have_value("Léa Martin")
    phone.get_by_label("J’ai lu et j’accepte le contrat").check()
    snap(phone, shots, "06-contrat")
    phone.get_by_role("button", name="Signer le contrat").click()

    # 5. The deposit, paid by card through the shop and Stripe's page.
    expect(phone).to_have_url(re.compile(r"/paiement/$"))
    snap(phone, shots, "07-paiement")
    phone.get_by_role("button", name=re.compile("Payer l’acompte de 50,00")).click()
    expect(phone).to_have_url(re.compile(r"/shop/checkout/"))
    _pay_by_card(phone, shots)

    # 6. The confirmation, and its email.
    booking = Booking.objects.get(token=token)
    assert [a["value"] for a in booking.answers] == ["Un portrait pour mon site", "2"]
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.deposit_paid == Decimal("50.00")
    phone.goto(f"/reserver/r/{token}/")
    expect(phone.locator("h1")).to_have_text("Votre séance est réservée")
    expect(phone.locator("#contract-pdf")).to_be_visible()
    expect(phone.locator("#session-ics")).to_be_visible()
    snap(phone, shots, "09-confirmation")
    with phone.expect_download() as download:
        phone.locator("#contract-pdf").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    to_lea = [m for m in mail.outbox if "lea@example.test" in m.to]
    files = {name: content for m in to_lea for name, content, _kind in m.attachments}
    assert any(name.endswith(".pdf") and bytes(content).startswith(b"%PDF")
               for name, content in files.items()), sorted(files)
    assert any(name.endswith(".ics") and b"BEGIN:VCALENDAR" in _bytes(content)
               for name, content in files.items()), sorted(files)

    # 7. Moved from the portal to another day.
    first_start = booking.starts_at
    phone.goto("/portal/")
    expect(phone.locator(".portal-bookings")).to_contain_text("Portrait en studio")
    snap(phone, shots, "10-portail")
    phone.locator(".portal-bookings a.session-item").first.click()
    phone.get_by_role("link", name="Déplacer ma séance").click()
    expect(phone.locator("h1")).to_have_text("Déplacer ma séance")
    phone.locator("a.day.free").last.click()
    snap(phone, shots, "11-deplacer")
    phone.locator("#creneaux button.slot").last.click()
    expect(phone.locator(".messages")).to_contain_text("Votre séance est déplacée")
    snap(phone, shots, "12-deplacee")
    booking.refresh_from_db()
    assert booking.starts_at != first_start
    assert booking.session.scheduled_at == booking.starts_at


def _bytes(content) -> bytes:
    return content.encode() if isinstance(content, str) else bytes(content)


def _pay_by_card(phone: Page, shots: Path) -> None:
    """Oscar's checkout for a deposit (nothing to ship), the card, Stripe's page, and back."""
    method = phone.locator("input[name=method][value=card]")
    expect(method).to_be_visible()
    snap(phone, shots, "08a-boutique")
    method.check()
    phone.locator("#payment-method-continue").click()
    phone.locator("#place-order").click()
    expect(phone).to_have_url(re.compile(r"/pay/cs_test_"))
    expect(phone.locator("h1")).to_contain_text("50,00 €")
    phone.get_by_role("button", name="Payer").click()
    expect(phone).to_have_url(re.compile(r"/shop/checkout/thank-you/$"))
    snap(phone, shots, "08b-paye")
