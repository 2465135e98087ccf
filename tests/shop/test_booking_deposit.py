"""A booking's deposit paid through the shop (issue 17): one "Acompte de séance" line priced
by the Booker, paid by card (Stripe, the local fake) or, for a company, on invoice; the Booker
confirms the booking from what was paid; a payment for a slot lost meanwhile, and the share of
a cancelled booking its policy gives back, are refunded through Stripe."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from booker import services as booker
from booker.models import Booking, Membership
from shop.deposits import selectors, services
from shop.payments import services as payments
from shop.payments.models import PaymentMethod
from tests import stripe_fake
from tests.factories import CompanyFactory, MembershipFactory, UserFactory
from tests.shop import checkout_flow as flow
from tests.shop.booking_factories import held_booking, session_type
from tests.shop.prints import basket_of

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
Status = Booking.Status
WEBHOOK = "/shop/checkout/stripe/webhook/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_server(settings):
    with stripe_fake.FakeStripe() as server:
        flow.use_fake_stripe(settings, server)
        yield server


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def deposit_page(booking: Booking) -> str:
    return reverse("deposits:pay", args=[booking.token])


def start_card_payment(client, booking: Booking) -> str:
    """The client's deposit page, then the checkout up to Stripe: the Checkout Session id."""
    response = client.get(deposit_page(booking))
    assert response.status_code == 302 and response["Location"] == reverse("checkout:index")
    flow.to_payment_method(client)
    flow.choose(client, PaymentMethod.CARD)
    placed = flow.place(client)
    assert placed.status_code == 302 and "/pay/cs_test_" in placed["Location"], placed
    return placed["Location"].rsplit("/", 1)[1]


def stripe_pays(stripe_server, session_id: str, capture) -> Order:
    payload, signature = stripe_server.event(
        "checkout.session.completed", stripe_server.pay(session_id)
    )
    with capture(execute=True):
        response = Client(enforce_csrf_checks=True).post(
            WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
        )
    assert response.status_code == 200
    return Order.objects.get()


def refunds(stripe_server) -> list[int]:
    return [int(call[2]["amount"]) for call in stripe_server.calls("POST", "/v1/refunds")]


def test_the_deposit_page_puts_one_line_at_the_booking_s_deposit_incl_vat(stripe_server):
    client_user = UserFactory()
    booking = held_booking(client_user)
    client = logged_in(client_user)

    client.get(deposit_page(booking))
    client.get(deposit_page(booking))  # coming back to pay: the same line, not a second

    [line] = basket_of(client_user).all_lines()
    assert selectors.token_of_line(line) == booking.token
    assert line.quantity == 1
    assert line.unit_price_incl_tax == Decimal("60.00") == booking.deposit
    assert line.unit_price_excl_tax == Decimal("50.00")
    assert not line.product.get_product_class().requires_shipping


def test_only_the_booking_s_owner_gets_its_deposit_page(stripe_server):
    booking = held_booking(UserFactory())

    assert logged_in(UserFactory()).get(deposit_page(booking)).status_code == 404
    anonymous = Client().get(deposit_page(booking))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_deposit_product_exists_without_the_demo_and_is_not_sold_publicly():
    product = selectors.deposit_product()
    assert product is not None and not product.is_public and not product.is_discountable
    client_user = UserFactory()
    client = logged_in(client_user)

    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})

    assert not basket_of(client_user).all_lines()


def test_a_deposit_is_paid_by_card_or_on_invoice_never_at_the_studio(stripe_server):
    client_user = UserFactory()
    booking = held_booking(client_user)
    client = logged_in(client_user)
    client.get(deposit_page(booking))
    flow.to_payment_method(client)

    html = client.get(reverse("checkout:payment-method")).content.decode()

    # "At the studio" would place an unpaid order while the slot's hold runs out.
    assert 'value="card"' in html and 'value="studio"' not in html
    assert flow.choose(client, PaymentMethod.STUDIO).status_code == 200  # refused
    assert flow.place(client).status_code == 302
    assert not Order.objects.exists()


def test_without_card_payments_or_invoice_the_deposit_page_says_to_contact_the_studio():
    client_user = UserFactory()
    booking = held_booking(client_user)

    response = logged_in(client_user).get(deposit_page(booking))

    assert response.status_code == 302
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "contacter le studio" in said
    assert not basket_of(client_user).all_lines()


def test_a_deposit_paid_by_card_confirms_the_booking_with_the_amount_paid(
    stripe_server, django_capture_on_commit_callbacks
):
    client_user = UserFactory()
    booking = held_booking(client_user)
    client = logged_in(client_user)

    order = stripe_pays(stripe_server, start_card_payment(client, booking),
                        django_capture_on_commit_callbacks)

    booking.refresh_from_db()
    assert order.status == settings.ORDER_PAID
    assert booking.status == Status.CONFIRMED
    assert booking.session is not None
    assert booking.deposit_paid == order.total_incl_tax == Decimal("60.00")
    assert booking.deposit_due == 0
    assert not refunds(stripe_server)
    # The payment heard twice (a retried signal) counts once, and refunds nothing.
    services.order_paid(order)
    booking.refresh_from_db()
    assert booking.deposit_paid == Decimal("60.00")
    assert not refunds(stripe_server)


def test_a_payment_after_the_hold_expired_and_the_slot_was_taken_is_refunded_in_full(
    stripe_server, django_capture_on_commit_callbacks
):
    client_user = UserFactory()
    kind = session_type()
    booking = held_booking(client_user, kind=kind)
    session_id = start_card_payment(logged_in(client_user), booking)
    # The client lingers on Stripe's page: the hold expires, someone else takes the slot.
    with django_capture_on_commit_callbacks(execute=True):
        assert booker.expire_holds(now=timezone.now() + timedelta(minutes=16)) == 1
    other = booker.hold_slot(kind, booking.starts_at, user=UserFactory())
    assert other.photographer_id == booking.photographer_id

    order = stripe_pays(stripe_server, session_id, django_capture_on_commit_callbacks)

    booking.refresh_from_db()
    assert booking.status == Status.EXPIRED
    assert booking.session is None
    assert refunds(stripe_server) == [6000]
    order.refresh_from_db()
    assert order.status == settings.ORDER_REFUNDED
    assert "remboursé" in order.notes.get().message
    # Heard again: no second refund, nothing more to tell the shop.
    services.order_paid(order)
    assert refunds(stripe_server) == [6000]
    assert order.notes.count() == 1


def test_a_payment_after_the_hold_expired_confirms_while_the_slot_is_still_free(
    stripe_server, django_capture_on_commit_callbacks
):
    client_user = UserFactory()
    booking = held_booking(client_user)
    session_id = start_card_payment(logged_in(client_user), booking)
    with django_capture_on_commit_callbacks(execute=True):
        booker.expire_holds(now=timezone.now() + timedelta(minutes=16))

    stripe_pays(stripe_server, session_id, django_capture_on_commit_callbacks)

    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    assert booking.deposit_paid == Decimal("60.00")
    assert not refunds(stripe_server)


def test_a_line_whose_booking_no_longer_awaits_a_deposit_cannot_be_ordered(stripe_server):
    client_user = UserFactory()
    booking = held_booking(client_user)
    client = logged_in(client_user)
    client.get(deposit_page(booking))
    flow.to_payment_method(client)
    flow.choose(client, PaymentMethod.CARD)
    # The client cancels the booking while its line sits in the basket (the event that
    # withdraws the line not heard yet).
    booker.cancel_booking(Booking.objects.get(pk=booking.pk), actor=client_user)

    placed = flow.place(client)

    assert placed.status_code == 302 and placed["Location"] == reverse("basket:summary")
    said = " ".join(str(m) for m in get_messages(placed.wsgi_request))
    assert "n'attend plus d'acompte" in said
    assert not Order.objects.exists()
    assert not stripe_server.calls("POST", "/v1/checkout/sessions")
    # And its deposit page says so instead of filling the basket.
    again = client.get(deposit_page(booking))
    assert again.status_code == 302


def test_an_expired_booking_s_deposit_leaves_open_baskets(
    stripe_server, django_capture_on_commit_callbacks
):
    client_user = UserFactory()
    booking = held_booking(client_user)
    logged_in(client_user).get(deposit_page(booking))
    assert basket_of(client_user).all_lines()

    with django_capture_on_commit_callbacks(execute=True):
        booker.expire_holds(now=timezone.now() + timedelta(minutes=16))

    assert not basket_of(client_user).all_lines()


def test_a_cancellation_with_a_half_refund_policy_refunds_half_the_deposit_through_stripe(
    stripe_server, django_capture_on_commit_callbacks
):
    client_user = UserFactory()
    kind = session_type(refund_rules=[{"days_before": 0, "refund_percent": 50}])
    booking = held_booking(client_user, kind=kind)
    order = stripe_pays(stripe_server, start_card_payment(logged_in(client_user), booking),
                        django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        refund = booker.cancel_booking(Booking.objects.get(pk=booking.pk), actor=client_user)

    assert refund == Decimal("30.00")
    assert refunds(stripe_server) == [3000]
    order.refresh_from_db()
    assert order.status == settings.ORDER_PAID  # half of it is still paid
    [event] = order.payment_events.filter(event_type__name=payments.EVENT_REFUND)
    assert event.amount == Decimal("30.00")
    assert "annulée" in order.notes.get().message
    # Heard again: nothing more goes back.
    services.booking_cancelled(booking.token, refund)
    assert refunds(stripe_server) == [3000]


def test_a_company_deposit_on_invoice_confirms_the_booking_and_its_payment_is_recorded(
    django_capture_on_commit_callbacks,
):
    acme = CompanyFactory(name="Acme", pays_on_invoice=True, address="1 rue de la Paix\nParis")
    manager = MembershipFactory(company=acme, role=Membership.Role.ADMIN).user
    booking = held_booking(manager, company=acme)
    client = logged_in(manager)
    client.get(deposit_page(booking))
    flow.to_payment_method(client)
    chosen = flow.choose(client, PaymentMethod.INVOICE, po_number="PO-42",
                         company=acme.pk)
    assert chosen.status_code == 302, chosen.content

    with django_capture_on_commit_callbacks(execute=True):
        placed = flow.place(client)

    assert placed["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    booking.refresh_from_db()
    assert order.status == settings.ORDER_AWAITING_PAYMENT
    assert order.invoice.company == acme
    assert booking.status == Status.CONFIRMED
    assert booking.deposit_paid == 0
    # The confirmation page leads on to the booking, not back to the shop.
    thanks = client.get(reverse("checkout:thank-you")).content.decode()
    assert reverse("booking:status", args=[booking.token]) in thanks

    with django_capture_on_commit_callbacks(execute=True):
        assert payments.record_payment(order, reference="virement 42")

    booking.refresh_from_db()
    assert booking.deposit_paid == Decimal("60.00")


def invoiced_deposit(refund_rules: list) -> tuple[Booking, object, Order]:
    """A company's booking whose deposit was ordered on invoice, not paid yet."""
    acme = CompanyFactory(name="Acme", pays_on_invoice=True)
    manager = MembershipFactory(company=acme, role=Membership.Role.ADMIN).user
    booking = held_booking(manager, kind=session_type(refund_rules=refund_rules), company=acme)
    client = logged_in(manager)
    client.get(deposit_page(booking))
    flow.to_payment_method(client)
    flow.choose(client, PaymentMethod.INVOICE, po_number="PO-43", company=acme.pk)
    flow.place(client)
    order = Order.objects.get()
    services.order_invoiced(order)  # what the order_invoiced signal does after the commit
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    return booking, manager, order


def test_a_booking_the_studio_cancels_cancels_its_unpaid_deposit_invoice(
    django_capture_on_commit_callbacks,
):
    booking, manager, order = invoiced_deposit([])

    with django_capture_on_commit_callbacks(execute=True):
        booker.cancel_booking(booking, actor=manager, by_studio=True)

    order.refresh_from_db()
    assert order.status == settings.ORDER_CANCELLED  # nothing of it is due: no reminder
    notes = " ".join(note.message for note in order.notes.all())
    assert "60,00 € de son acompte ne sont plus dus" in notes


def test_a_client_s_cancellation_leaves_its_policy_s_share_of_the_invoice_due(
    django_capture_on_commit_callbacks,
):
    booking, manager, order = invoiced_deposit([{"days_before": 0, "refund_percent": 50}])

    with django_capture_on_commit_callbacks(execute=True):
        booker.cancel_booking(booking, actor=manager)

    order.refresh_from_db()
    assert order.status == settings.ORDER_AWAITING_PAYMENT  # half of it is still owed
    notes = " ".join(note.message for note in order.notes.all())
    assert "30,00 € de son acompte ne sont plus dus" in notes and "avoir" in notes


def test_a_company_deposit_goes_on_that_company_s_invoice_only():
    acme = CompanyFactory(name="Acme", pays_on_invoice=True)
    globex = CompanyFactory(name="Globex", pays_on_invoice=True)
    manager = MembershipFactory(company=acme, role=Membership.Role.ADMIN).user
    MembershipFactory(company=globex, user=manager, role=Membership.Role.ADMIN)
    booking = held_booking(manager, company=acme)
    client = logged_in(manager)
    client.get(deposit_page(booking))
    flow.to_payment_method(client)

    refused = flow.choose(client, PaymentMethod.INVOICE, po_number="PO-44", company=globex.pk)

    assert refused.status_code == 200
    chosen = flow.choose(client, PaymentMethod.INVOICE, po_number="PO-44", company=acme.pk)
    assert chosen.status_code == 302
