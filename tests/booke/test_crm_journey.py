"""Issue 21's "Done means", as one person's year with the studio, across the three apps: a
lead from the site's contact form opens an account, books online, is shot and delivered, buys
a print, enters a segment, receives a campaign over real SMTP on loopback, unsubscribes with
her mail client's one-click button and receives no more. All along, an external CRM on
loopback receives each chosen event once, signed, after a failed first attempt; the
contact's timeline tells the year."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from booker import services
from booker.booking import selectors as booking_selectors
from booker.crm import timeline
from booker.events import Event
from booker.marketing import selectors as marketing
from booker.marketing import services as campaigns
from booker.models import (
    Booking,
    CampaignSend,
    Lead,
    MarketingConsent,
    PhotoSession,
    Segment,
    SegmentCondition,
    User,
    WebhookDelivery,
)
from booker.webhooks import services as webhooks
from editorial.campaigns.models import CampaignContent
from editorial.campaigns.rendering import render
from shop import demo as shop_demo
from shop.payments import services as payments
from tests.booker.factories_studio import picked_retouched_delivered, shot_and_published
from tests.booker.mailbox import Mailbox
from tests.booker.test_booking_services import MONDAY, NOW, paris, photographer, portrait  # noqa: F401
from tests.booker.test_webhooks import Receiver, endpoint, later, loopback_allowed, receiver  # noqa: F401
from tests.editorial.test_contact import SUBMISSION, contact, home  # noqa: F401
from tests.shop.prints import basket_of, place_order, variant

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
SITE = "https://studio.example.fr"
PASSWORD = "Un-Mot-De-Passe-Neuf-9"
EMAIL = "claire@example.test"
CHOSEN = [Event.BOOKING_CONFIRMED, Event.SESSION_DELIVERED, Event.ORDER_PAID]


def campaign_to(segment: Segment, content: CampaignContent, capture):
    rendered = render(content)
    with capture(execute=True):
        return campaigns.create_campaign(segment, name=content.title, subject=rendered.subject,
                                         body_html=rendered.html, body_text=rendered.text)


def test_a_lead_books_is_delivered_buys_gets_a_campaign_unsubscribes_and_gets_no_more(
        contact, portrait, loopback_allowed, settings,  # noqa: F811
        django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    settings.SITE_URL = SITE
    shop_demo.seed(lambda line: None)
    with receiver(fail_first=1) as url:
        crm_endpoint = endpoint(url, [str(e) for e in CHOSEN])

        # She writes from the site: a lead, new, of the contact form.
        with capture(execute=True):
            assert Client().post(contact.url, SUBMISSION).status_code == 200
        lead = Lead.objects.get()
        assert (lead.email, lead.status, lead.user) == (EMAIL, Lead.Status.NEW, None)

        # She opens an account in the shop: the lead (and its contact) become the account's.
        with capture(execute=True):
            response = Client().post("/shop/accounts/register/", {
                "email": EMAIL, "password1": PASSWORD, "password2": PASSWORD,
                "redirect_url": "/portal/compte/"})
        assert response.status_code == 302
        claire = User.objects.get(email=EMAIL)
        lead.refresh_from_db()
        assert lead.user == claire and lead.contact.user == claire

        # She subscribes to the newsletter from the footer and confirms by the emailed link.
        with capture(execute=True):
            Client().post("/newsletter/", {"email": EMAIL, "consent": "on"})
        confirm = re.search(re.escape(SITE) + r"(/newsletter/confirm/\S+/)",
                            mail.outbox[-1].body).group(1)
        assert Client().get(confirm).status_code == 200

        # She books online and pays the deposit: the session is booked, the lead won.
        with capture(execute=True):
            booking = services.hold_slot(portrait, paris(MONDAY, 10), user=claire, now=NOW)
            services.claim_booking(booking, user=claire)
            services.sign_contract(booking, name="Claire Dubois", ip="203.0.113.9", now=NOW)
            services.submit_booking(booking, actor=claire)
            deposit = booking_selectors.deposit_payable(booking.pk)
            assert services.booking_paid(booking.pk, deposit, reference="acompte")
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
        lead.refresh_from_db()
        assert lead.status == Lead.Status.BOOKED

        # Shot, picked, retouched, delivered.
        with capture(execute=True):
            session = shot_and_published(booking.session)
            picked_retouched_delivered(session, 2)
        assert PhotoSession.objects.get(pk=session.pk).status == PhotoSession.Status.DELIVERED

        # She buys a print in the shop and pays at the studio: the shop manager records it.
        with capture(execute=True):
            basket_of(claire).add_product(variant(), 1)
            order = place_order(claire, paid=False)
            assert payments.record_payment(order, reference="payé au studio")

        # The external CRM: one delivery per chosen event, each accepted once after a 500.
        assert webhooks.send_due(later(1.5)).get(WebhookDelivery.Status.SUCCEEDED) == 3
        assert webhooks.send_due(later(60)) == {}
    assert len(Receiver.accepted) == 3 == len(set(Receiver.accepted))
    assert all(signed for _headers, _body, signed in Receiver.requests)
    assert sorted(h["Booke-Event"] for h, _b, _s in Receiver.requests) == sorted(
        str(e) for e in CHOSEN for _attempt in range(2))
    assert WebhookDelivery.objects.filter(endpoint=crm_endpoint).count() == 3

    # The studio's segment: wedding-type clients delivered (no delay here) who bought a print.
    segment = Segment.objects.create(name="Clients livrés ayant acheté un tirage")
    SegmentCondition.objects.create(segment=segment, kind="delivered_clients", number=0,
                                    text=portrait.name)
    SegmentCondition.objects.create(segment=segment, kind="bought_print")
    assert [r.email for r in marketing.recipients(segment)] == [EMAIL]

    content = CampaignContent.objects.create(
        title="Printemps", subject="Vos tirages du printemps",
        body=[{"type": "text", "value": "<p>Bonjour, voici nos offres.</p>"}])
    box = Mailbox().start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", box.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

        campaign_to(segment, content, capture)
        [received] = box.new(1, timeout=30, settle=0.5)
        assert received.to == [EMAIL]
        assert received.message["Subject"] == "Vos tirages du printemps"
        link = re.search(r"<(https://[^>]+)>", received.message["List-Unsubscribe"]).group(1)

        # Her mail client's own "Unsubscribe": a POST with no cookie and no CSRF token.
        response = Client(enforce_csrf_checks=True).post(
            link.removeprefix(SITE), "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
        assert not MarketingConsent.objects.filter(
            email=EMAIL, purpose=MarketingConsent.Purpose.MARKETING,
            status=MarketingConsent.Status.CONFIRMED).exists()

        second = campaign_to(segment, content, capture)
        assert box.new(0, settle=1.5) == []
        assert not CampaignSend.objects.filter(campaign=second,
                                               status=CampaignSend.Status.SENT).exists()
    finally:
        box.stop()

    # Her year on her contact, newest first, as the studio reads it in /admin/.
    titles = [e.title for e in timeline.timeline(lead.contact)]
    year = ["Campagne envoyée", "Commande payée", "Photos livrées", "Réservation confirmée",
            "Demande reçue"]
    assert [t for t in titles if t in year] == year
