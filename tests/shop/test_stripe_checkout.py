"""Card payments through Stripe Checkout, against a local fake of Stripe's API that the real
`stripe` library talks to over HTTP. The order is placed exactly once, whichever of the
return page and the webhook comes first, however often and in whatever order events arrive."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from booker.events import Event
from booker.models import SessionEvent
from shop.partner.strategy import FranceStrategy
from shop.payments import services
from shop.payments.models import PaymentMethod, StripeCheckout
from shop.payments.signals import order_paid
from tests import stripe_fake
from tests.factories import UserFactory, user_with_role
from tests.shop import checkout_flow as flow

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")

WEBHOOK = "/shop/checkout/stripe/webhook/"


@pytest.fixture
def stripe_server(settings):
    with stripe_fake.FakeStripe() as server:
        flow.use_fake_stripe(settings, server)
        yield server


@pytest.fixture
def product(db):
    return flow.a_print()


def start_card_checkout(client, product, email="visiteur@example.test") -> str:
    """A visitor fills a basket and clicks "place order" with card chosen: the id of the
    Stripe session they are sent to."""
    flow.fill_basket(client, product)
    flow.to_payment_method(client, guest_email=email)
    flow.choose(client, PaymentMethod.CARD)
    response = flow.place(client)
    assert response.status_code == 302
    assert "/pay/cs_test_" in response["Location"]
    return response["Location"].rsplit("/", 1)[1]


def deliver(payload: bytes, signature: str):
    # Stripe has no CSRF token: the webhook must take the POST all the same.
    return Client(enforce_csrf_checks=True).post(
        WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def return_from_stripe(client, session_id: str):
    return client.get(reverse("checkout:stripe-return"), {"session_id": session_id})


def test_without_stripe_keys_checkout_offers_studio_payment_only(client, product, settings):
    settings.STRIPE_SECRET_KEY = ""
    flow.fill_basket(client, product)
    flow.to_payment_method(client, guest_email="visiteur@example.test")

    page = client.get(reverse("checkout:payment-method")).content.decode()

    assert 'value="studio"' in page
    assert 'value="card"' not in page
    assert 'value="invoice"' not in page
    assert flow.choose(client, PaymentMethod.CARD).status_code == 200  # refused, form again


def test_card_checkout_creates_a_stripe_session_for_the_order_total_with_an_idempotency_key(
    client, product, stripe_server
):
    session_id = start_card_checkout(client, product)

    [(_, _, params, headers)] = stripe_server.calls("POST", "/v1/checkout/sessions")
    assert headers["idempotency-key"].startswith("booke-checkout-")
    assert params["line_items[0][price_data][unit_amount]"] == str(flow.TOTAL_CENTS)
    assert params["customer_email"] == "visiteur@example.test"
    checkout = StripeCheckout.objects.get(session_id=session_id)
    assert checkout.order is None and not Order.objects.exists()
    assert Basket.objects.get(pk=checkout.basket_id).status == "Frozen"


def test_stripe_sends_the_customer_back_to_site_url_not_the_requests_host(
    product, stripe_server, settings
):
    settings.SITE_URL = "https://studio.example.fr"
    start_card_checkout(Client(HTTP_HOST="localhost"), product)

    [(_, _, params, _)] = stripe_server.calls("POST", "/v1/checkout/sessions")
    back = "https://studio.example.fr" + reverse("checkout:stripe-return")
    assert params["success_url"] == back + "?session_id={CHECKOUT_SESSION_ID}"
    assert params["cancel_url"] == "https://studio.example.fr" + reverse("checkout:stripe-cancel")


def test_the_same_frozen_basket_gets_the_same_stripe_session(client, product, stripe_server):
    session_id = start_card_checkout(client, product)
    checkout = StripeCheckout.objects.get(session_id=session_id)
    basket = Basket.objects.get(pk=checkout.basket_id)
    basket.strategy = FranceStrategy()

    keys = {
        services.checkout_idempotency_key(basket, checkout.amount) for _ in range(2)
    }

    assert len(keys) == 1
    assert keys.pop() == (
        stripe_server.calls("POST", "/v1/checkout/sessions")[0][3]["idempotency-key"]
    )
    assert checkout.fingerprint == services.basket_fingerprint(basket, checkout.amount)


def test_return_page_first_then_webhook_places_one_paid_order(
    client, product, stripe_server, django_capture_on_commit_callbacks
):
    session_id = start_card_checkout(client, product)
    paid = stripe_server.pay(session_id)
    received = []
    order_paid.connect(lambda sender, order, **kw: received.append(order.number), weak=False,
                       dispatch_uid="test-return-first")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            back = return_from_stripe(client, session_id)
            late = deliver(*stripe_server.event("checkout.session.completed", paid))
    finally:
        order_paid.disconnect(dispatch_uid="test-return-first")

    assert back.status_code == 302 and back["Location"] == reverse("checkout:thank-you")
    assert late.status_code == 200
    order = Order.objects.get()
    assert order.status == "Payée"
    assert order.guest_email == "visiteur@example.test"
    assert order.total_incl_tax == flow.TOTAL_CENTS / 100
    assert [e.event_type.name for e in order.payment_events.all()] == ["Paiement"]
    assert order.sources.get().amount_debited == order.total_incl_tax
    assert received == [order.number]
    assert [m.subject for m in mail.outbox] == [f"Votre commande {order.number} est enregistrée"]
    assert "Votre paiement est reçu" in mail.outbox[0].body
    # Placed once, already paid: one event, and no "payment received" after the confirmation.
    assert list(SessionEvent.objects.filter(subject=f"order:{order.pk}")
                .values_list("name", flat=True)) == [Event.ORDER_PLACED]
    thanks = client.get(reverse("checkout:thank-you"))
    assert order.number in thanks.content.decode()


def test_webhook_first_then_return_page_places_one_order(client, product, stripe_server):
    session_id = start_card_checkout(client, product)
    paid = stripe_server.pay(session_id)

    early = deliver(*stripe_server.event("checkout.session.completed", paid))
    back = return_from_stripe(client, session_id)

    assert early.status_code == 200
    assert back.status_code == 302 and back["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert StripeCheckout.objects.get(session_id=session_id).order == order
    assert order.payment_events.count() == 1
    # The return page asked Stripe itself, even though the order was already placed.
    assert stripe_server.calls("GET", f"/v1/checkout/sessions/{session_id}")


def test_a_duplicated_event_is_harmless(client, product, stripe_server):
    session_id = start_card_checkout(client, product)
    payload, signature = stripe_server.event(
        "checkout.session.completed", stripe_server.pay(session_id)
    )

    responses = [deliver(payload, signature) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    order = Order.objects.get()
    assert order.payment_events.count() == 1 and order.sources.count() == 1


def test_async_payment_succeeded_before_completed_places_the_order_once(
    client, product, stripe_server
):
    session_id = start_card_checkout(client, product)
    unpaid_snapshot = dict(stripe_server.sessions[session_id], status="complete")
    paid = stripe_server.pay(session_id)

    first = deliver(*stripe_server.event("checkout.session.async_payment_succeeded", paid))
    # "completed" was sent first but arrives last, with the session still unpaid in it.
    second = deliver(*stripe_server.event("checkout.session.completed", unpaid_snapshot))

    assert first.status_code == second.status_code == 200
    assert Order.objects.get().status == "Payée"


def test_a_completed_but_unpaid_session_places_nothing_until_its_payment_succeeds(
    client, product, stripe_server
):
    session_id = start_card_checkout(client, product)
    unpaid = dict(stripe_server.sessions[session_id], status="complete")

    assert deliver(*stripe_server.event("checkout.session.completed", unpaid)).status_code == 200
    pending = return_from_stripe(client, session_id)

    assert not Order.objects.exists()
    assert pending.status_code == 200 and b"stripe-pending" in pending.content
    deliver(*stripe_server.event("checkout.session.async_payment_succeeded",
                                 stripe_server.pay(session_id)))
    assert Order.objects.count() == 1


def test_events_for_unknown_sessions_and_unknown_types_are_acknowledged_and_logged(
    product, stripe_server, caplog
):
    stranger = {"id": "cs_test_elsewhere", "object": "checkout.session",
                "payment_status": "paid", "amount_total": 999}
    with caplog.at_level(logging.INFO, logger="shop.payments.services"):
        unknown_session = deliver(*stripe_server.event("checkout.session.completed", stranger))
        unknown_type = deliver(*stripe_server.event("customer.created", {"id": "cus_1"}))

    assert unknown_session.status_code == unknown_type.status_code == 200
    assert not Order.objects.exists()
    assert "cs_test_elsewhere is not one of ours" in caplog.text
    assert "customer.created" in caplog.text


@pytest.mark.parametrize("forgery", ["other-secret", "garbage", "stale", "missing"])
def test_a_webhook_with_a_bad_signature_is_refused(client, product, stripe_server, forgery):
    session_id = start_card_checkout(client, product)
    payload, _ = stripe_server.event("checkout.session.completed", stripe_server.pay(session_id))
    signature = {
        "other-secret": stripe_fake.sign(payload, "whsec_someone_else"),
        "garbage": "t=1,v1=00",
        # Signed right, but more than five minutes ago: a replay.
        "stale": stripe_fake.sign(payload, timestamp=int(time.time()) - 301),
        "missing": "",
    }[forgery]

    response = deliver(payload, signature)

    assert response.status_code == 400
    assert not Order.objects.exists()


def test_cancelling_on_stripe_gives_the_basket_back(client, product, stripe_server):
    start_card_checkout(client, product)

    back = client.get(reverse("checkout:stripe-cancel"))

    assert back.status_code == 302
    basket = client.get(reverse("basket:summary")).content.decode()
    assert "Tirage 20×30 cm" in basket
    assert Basket.objects.filter(status="Open").count() == 1


def test_a_shop_manager_refunds_a_card_order_through_stripe(client, product, stripe_server):
    session_id = start_card_checkout(client, product)
    deliver(*stripe_server.event("checkout.session.completed", stripe_server.pay(session_id)))
    order = Order.objects.get()
    manager = user_with_role("Shop manager")
    staff = Client()
    staff.force_login(manager)

    partial = staff.post(reverse("payments:refund", args=[order.number]), {"amount": "10,00"})
    rest = staff.post(reverse("payments:refund", args=[order.number]), {"amount": "14.00"})
    too_much = staff.post(reverse("payments:refund", args=[order.number]), {"amount": "1"})

    assert partial.status_code == rest.status_code == 302
    # Nothing left to refund: refused with the reason, on a page of its own.
    assert too_much.status_code == 400
    assert "Au plus 0.00 € peuvent être remboursés." in too_much.content.decode()
    refunds = stripe_server.calls("POST", "/v1/refunds")
    assert [(r[2]["amount"], r[2]["payment_intent"]) for r in refunds] == [
        ("1000", StripeCheckout.objects.get().payment_intent),
        ("1400", StripeCheckout.objects.get().payment_intent),
    ]
    assert len({r[3]["idempotency-key"] for r in refunds}) == 2
    order.refresh_from_db()
    events = order.payment_events.filter(event_type__name="Remboursement")
    assert sorted(str(e.amount) for e in events) == ["10.00", "14.00"]
    assert order.status == "Remboursée"


def test_a_double_clicked_refund_is_recorded_once(client, product, stripe_server):
    session_id = start_card_checkout(client, product)
    deliver(*stripe_server.event("checkout.session.completed", stripe_server.pay(session_id)))
    order = Order.objects.get()
    source = order.sources.get()
    # The second click reached Stripe with the same key before the first was recorded:
    # simulated by putting the refunded amount back as it was.
    first = services.refund_order(order, order.total_incl_tax / 2)
    type(source).objects.filter(pk=source.pk).update(amount_refunded=0)
    second = services.refund_order(order, order.total_incl_tax / 2)

    assert first.pk == second.pk
    assert len(stripe_server.refunds) == 1


def test_only_the_shop_refunds(client, product, stripe_server):
    session_id = start_card_checkout(client, product)
    deliver(*stripe_server.event("checkout.session.completed", stripe_server.pay(session_id)))
    order = Order.objects.get()
    client.force_login(UserFactory())

    response = client.post(reverse("payments:refund", args=[order.number]), {"amount": "24"})

    assert response.status_code == 404
    assert not stripe_server.calls("POST", "/v1/refunds")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_placements_on_postgresql_give_one_order(stripe_server):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite has no row locks (select_for_update is a no-op) and its in-memory test "
            "database is not shared between threads: run with DATABASE_URL=postgres://…"
        )
    client = Client()
    product = flow.a_print()
    session_id = start_card_checkout(client, product)
    paid = stripe_server.pay(session_id)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def place() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(services.place_paid_order(session_id, paid))
        except Exception as error:  # noqa: BLE001 -- reported by the assertion below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=place) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Order.objects.count() == 1
    assert {order.pk for order in results} == {Order.objects.get().pk}
    assert Order.objects.get().payment_events.count() == 1
