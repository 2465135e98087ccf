"""Money integrity as a rule of the shop (issue 14, findings 2, 3, 7 and 8): an order is paid
only when the amount received equals its total; a Stripe Checkout Session pays only the basket
it was made for; an extras line's quantity is its photos; what is unlocked comes from what was
paid; bad amounts and malformed webhooks get a 400 with a clear message, never a 500."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from booker.models import PhotoSession, SessionEvent
from shop.demo import typed_price
from shop.payments import services
from shop.payments.models import PaymentMethod, StripeCheckout
from shop.payments.signals import order_paid
from tests import stripe_fake
from tests.booker.factories_studio import proofing_session, rush_ids
from tests.factories import user_with_role
from tests.shop import checkout_flow as flow
from tests.shop.prints import basket_of

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
Product = get_model("catalogue", "Product")

WEBHOOK = "/shop/checkout/stripe/webhook/"
Status = PhotoSession.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_server(settings):
    with stripe_fake.FakeStripe() as server:
        flow.use_fake_stripe(settings, server)
        yield server


@pytest.fixture
def product(db):
    return flow.a_print()


@pytest.fixture
def big_product(product):
    # 245.00 excluding VAT: 294.00 for the customer.
    from oscar.test.factories import create_product

    return create_product(
        title="Album de mariage", price=typed_price(Decimal("294.00")), num_in_stock=10,
        partner_name="Atelier",
    )


def deliver(payload: bytes, signature: str):
    return Client(enforce_csrf_checks=True).post(
        WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def start_card_checkout(client, product, email="visiteur@example.test") -> str:
    flow.fill_basket(client, product)
    flow.to_payment_method(client, guest_email=email)
    flow.choose(client, PaymentMethod.CARD)
    response = flow.place(client)
    assert response.status_code == 302 and "/pay/cs_test_" in response["Location"]
    return response["Location"].rsplit("/", 1)[1]


def studio_order(client, product):
    """A visitor's order placed to be paid at the studio: unpaid until the shop records it."""
    flow.fill_basket(client, product)
    flow.to_payment_method(client, guest_email="visiteur@example.test")
    flow.choose(client, PaymentMethod.STUDIO)
    flow.place(client)
    return Order.objects.get()


def shop_manager() -> Client:
    staff = Client()
    staff.force_login(user_with_role("Shop manager"))
    return staff


def paid_card_order(client, product, stripe_server):
    session_id = start_card_checkout(client, product)
    deliver(*stripe_server.event("checkout.session.completed", stripe_server.pay(session_id)))
    return Order.objects.get()


# --- Finding 2: one extra photo paid, three unlocked -------------------------------------------


def extras_in_basket(client, *, price="15.00", extras=3) -> PhotoSession:
    """A client whose selection has `extras` photos beyond the package, sent to the basket
    through the portal's button."""
    session = proofing_session(extras + 1, quota=1, extra_price=Decimal(price))
    for pk in rush_ids(session):
        from booker import services as booker_services

        booker_services.set_pick(session, pk, True, user=session.client)
    client.force_login(session.client)
    response = client.post(reverse("personal:extras", args=[session.pk]))
    assert response["Location"] == reverse("basket:summary")
    return session


def post_basket_quantity(client, line, quantity: int):
    return client.post(reverse("basket:summary"), {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(line.pk),
        "form-0-quantity": str(quantity),
    })


def test_an_extras_line_s_quantity_cannot_be_changed_in_the_basket(client, catalogue):
    session = extras_in_basket(client)
    [line] = basket_of(session.client).all_lines()
    assert line.quantity == 3

    page = client.get(reverse("basket:summary")).content.decode()
    response = post_basket_quantity(client, line, 1)

    # The basket shows no quantity box for the extras, and a posted quantity changes nothing.
    assert 'type="number" name="form-0-quantity"' not in page
    assert "3 photos" in page
    assert response.status_code in (200, 302)
    [line] = basket_of(session.client).all_lines()
    assert line.quantity == 3
    assert line.line_price_incl_tax == Decimal("45.00")
    html = client.get(reverse("basket:summary")).content.decode()
    assert "45,00" in html


def test_an_extras_line_can_still_be_removed_from_the_basket(client, catalogue):
    session = extras_in_basket(client)
    [line] = basket_of(session.client).all_lines()

    post_basket_quantity(client, line, 0)

    assert not basket_of(session.client).all_lines()


def test_the_public_add_to_basket_refuses_the_extras_product(client, catalogue):
    session = extras_in_basket(client)
    extras = Product.objects.get(upc="BK-PHOTO-SUPPLEMENTAIRE")

    client.post(reverse("basket:add", kwargs={"pk": extras.pk}), {"quantity": 1})

    assert len(basket_of(session.client).all_lines()) == 1


def test_a_paid_order_unlocks_only_the_extras_it_paid_for(
    client, catalogue, django_capture_on_commit_callbacks
):
    """An extras line whose quantity says one photo (an old basket, a forged form) pays for
    one: the three photos its options name are not unlocked, the studio is told."""
    session = extras_in_basket(client)
    basket = basket_of(session.client)
    [line] = basket.all_lines()
    type(line).objects.filter(pk=line.pk).update(quantity=1)
    flow.to_payment_method(client)
    flow.choose(client, PaymentMethod.STUDIO)
    placed = flow.place(client)
    assert placed.status_code == 302
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("15.00")

    staff = shop_manager()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("payments:record-payment", args=[order.number]))

    order.refresh_from_db()
    session.refresh_from_db()
    assert order.status == "Payée"
    assert session.status == Status.AWAITING_PAYMENT
    unmatched = SessionEvent.objects.get(session=session, name="session.extras_paid_unmatched")
    assert len(unmatched.payload["rushes"]) == 1


def test_a_personal_print_s_quantity_changes_its_price_per_copy_and_keeps_its_photo(
    client, catalogue
):
    from booker.models import FinalPhoto
    from shop.personal import selectors
    from tests.booker.factories_studio import delivered_session
    from tests.shop.prints import variant

    session, _ = delivered_session(2)
    final = FinalPhoto.objects.filter(job__session=session).order_by("pk").first()
    client.force_login(session.client)
    client.post(reverse("personal:final", args=[final.pk]),
                {"product": variant().pk, "crop": "0,0,0.5,0.5", "quantity": 1})
    [line] = basket_of(session.client).all_lines()

    client.post(reverse("basket:summary"), {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1",
        "form-0-id": str(line.pk), "form-0-quantity": "3",
        "form-0-photo": "999999", "form-0-recadrage": "0,0,1,1",
    })

    [line] = basket_of(session.client).all_lines()
    assert line.quantity == 3
    assert line.line_price_incl_tax == 3 * line.unit_price_incl_tax == Decimal("72.00")
    photo = selectors.line_photo(line)
    assert photo.final_id == final.pk and str(photo.crop) == "0.0000,0.0000,0.5000,0.5000"


# --- The one rule: paid only when the amount received is the total ----------------------------


def test_an_order_paid_less_than_its_total_waits_flagged_and_unlocks_nothing(
    client, product, django_capture_on_commit_callbacks
):
    order = studio_order(client, product)
    received = []
    order_paid.connect(lambda sender, order, **kw: received.append(order.number), weak=False,
                       dispatch_uid="test-underpaid")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            done = services.mark_order_paid(
                order, method=PaymentMethod.STUDIO, amount=Decimal("10.00"), reference="VIR-1"
            )
    finally:
        order_paid.disconnect(dispatch_uid="test-underpaid")

    order.refresh_from_db()
    assert not done
    assert order.status == "Paiement à vérifier"
    assert received == []
    page = shop_manager().get(reverse("dashboard:order-detail", args=[order.number]))
    html = page.content.decode()
    assert "Paiement à vérifier" in html
    assert "10,00" in html and "24,00" in html


def test_a_flagged_order_accepted_by_the_shop_manager_becomes_paid(
    client, product, django_capture_on_commit_callbacks
):
    order = studio_order(client, product)
    services.mark_order_paid(order, method=PaymentMethod.STUDIO, amount=Decimal("10.00"))
    received = []
    order_paid.connect(lambda sender, order, **kw: received.append(order.number), weak=False,
                       dispatch_uid="test-accepted")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = shop_manager().post(
                reverse("payments:accept-payment", args=[order.number])
            )
    finally:
        order_paid.disconnect(dispatch_uid="test-accepted")

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "Payée"
    assert received == [order.number]


# --- Finding 3: an old Stripe session pays a bigger basket -------------------------------------


def test_cancelling_a_card_checkout_expires_its_stripe_session(client, product, stripe_server):
    session_id = start_card_checkout(client, product)

    client.get(reverse("checkout:stripe-cancel"))

    assert stripe_server.sessions[session_id]["status"] == "expired"
    assert StripeCheckout.objects.get(session_id=session_id).state == "expired"


def test_a_changed_basket_expires_the_stripe_session_made_for_it(client, product, stripe_server):
    session_id = start_card_checkout(client, product)
    checkout = StripeCheckout.objects.get(session_id=session_id)
    basket = Basket.objects.get(pk=checkout.basket_id)
    basket.thaw()
    basket.strategy = flow_strategy()

    basket.add_product(product, 1)

    assert stripe_server.sessions[session_id]["status"] == "expired"


@pytest.mark.parametrize("change", ["quantity", "removed", "voucher"])
def test_any_other_basket_change_expires_the_stripe_session_too(
    client, product, stripe_server, change
):
    from oscar.test.factories import create_voucher

    session_id = start_card_checkout(client, product)
    basket = Basket.objects.get(pk=StripeCheckout.objects.get(session_id=session_id).basket_id)
    basket.thaw()
    [line] = basket.lines.all()

    if change == "quantity":
        line.quantity = 2
        line.save()
    elif change == "removed":
        line.delete()
    else:
        basket.vouchers.add(create_voucher())

    assert stripe_server.sessions[session_id]["status"] == "expired"


def flow_strategy():
    from shop.partner.strategy import FranceStrategy

    return FranceStrategy()


def test_an_old_stripe_session_paid_after_the_basket_grew_is_refunded_not_accepted(
    client, product, big_product, stripe_server
):
    session_id = start_card_checkout(client, product)
    # Paid on Stripe's page in another tab: it can no longer be expired.
    paid = stripe_server.pay(session_id)
    client.get(reverse("checkout:stripe-cancel"))
    flow.fill_basket(client, big_product)

    webhook = deliver(*stripe_server.event("checkout.session.completed", paid))
    back = client.get(reverse("checkout:stripe-return"), {"session_id": session_id})

    assert webhook.status_code == 200
    assert not Order.objects.filter(status="Payée").exists()
    [refund] = stripe_server.refunds.values()
    assert refund["amount"] == flow.TOTAL_CENTS
    assert refund["payment_intent"] == paid["payment_intent"]
    assert StripeCheckout.objects.get(session_id=session_id).state == "refunded"
    assert back.status_code == 200
    assert "remboursé" in back.content.decode()
    # The basket is still the customer's, with both products.
    basket = client.get(reverse("basket:summary")).content.decode()
    assert "Album de mariage" in basket and "Tirage 20×30 cm" in basket


def test_a_stripe_session_whose_amount_differs_from_the_basket_is_refunded(
    client, product, stripe_server
):
    session_id = start_card_checkout(client, product)
    paid = stripe_server.pay(session_id)
    paid["amount_total"] = 100

    deliver(*stripe_server.event("checkout.session.completed", paid))

    assert not Order.objects.filter(status="Payée").exists()
    [refund] = stripe_server.refunds.values()
    assert refund["amount"] == 100


def test_a_stale_payment_that_stripe_will_not_refund_is_held_for_the_shop(
    client, product, big_product, stripe_server
):
    session_id = start_card_checkout(client, product)
    paid = stripe_server.pay(session_id)
    client.get(reverse("checkout:stripe-cancel"))
    flow.fill_basket(client, big_product)
    # Stripe answers the refund with an error (here: a payment it does not know).
    paid["payment_intent"] = "pi_unknown"

    webhook = deliver(*stripe_server.event("checkout.session.completed", paid))

    assert webhook.status_code == 200
    assert not Order.objects.exists()
    checkout = StripeCheckout.objects.get(session_id=session_id)
    assert checkout.state == "held"
    assert "remboursez à la main" in checkout.note


def test_a_new_checkout_of_the_same_basket_after_cancelling_gets_a_new_session(
    client, product, stripe_server
):
    first = start_card_checkout(client, product)
    client.get(reverse("checkout:stripe-cancel"))

    second = flow.place(client)

    assert second.status_code == 302
    second_id = second["Location"].rsplit("/", 1)[1]
    assert second_id != first
    assert stripe_server.sessions[second_id]["status"] == "open"


# --- Findings 7 and 8: bad input gets a 400, never a 500 ---------------------------------------


@pytest.mark.parametrize(
    "amount", ["NaN", "sNaN", "inf", "-Infinity", "1e999999", "-5", "0", "abc", "", "24.001",
               "25"],
)
def test_a_refund_amount_that_is_not_a_refundable_sum_gets_a_400_with_a_reason(
    client, product, stripe_server, amount
):
    order = paid_card_order(client, product, stripe_server)

    response = shop_manager().post(reverse("payments:refund", args=[order.number]),
                                   {"amount": amount})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Montant invalide" in html or "rembours" in html
    assert not stripe_server.calls("POST", "/v1/refunds")


def signed(body) -> tuple[bytes, str]:
    payload = json.dumps(body).encode()
    return payload, stripe_fake.sign(payload)


@pytest.mark.parametrize(
    "body",
    [
        {"id": "evt_1", "object": "event", "type": "checkout.session.completed",
         "data": {"object": {"payment_status": "paid"}}},
        {"id": "evt_1", "object": "event", "type": "checkout.session.completed",
         "data": {"object": "cs_test_1"}},
        {"id": "evt_1", "object": "event", "type": "checkout.session.completed", "data": {}},
        {"id": "evt_1", "object": "event", "type": "checkout.session.completed"},
        {"id": "evt_1", "object": "event", "type": ["checkout.session.completed"]},
        {"id": "evt_1", "object": "event", "type": "checkout.session.completed",
         "data": {"object": {"id": 12, "payment_status": "paid"}}},
        {"id": "evt_1", "object": "event", "type": "checkout.session.completed",
         "data": {"object": {"id": "cs_test_1", "payment_status": "paid",
                             "amount_total": "lots"}}},
        ["not", "an", "event"],
        "a string",
    ],
)
def test_a_signed_but_malformed_webhook_gets_a_400(db, stripe_server, body):
    response = deliver(*signed(body))

    assert response.status_code == 400
    assert not Order.objects.exists()


def test_a_webhook_signed_in_the_future_is_refused(client, product, stripe_server):
    session_id = start_card_checkout(client, product)
    payload, _ = stripe_server.event("checkout.session.completed", stripe_server.pay(session_id))

    response = deliver(payload, stripe_fake.sign(payload, timestamp=int(time.time()) + 301))

    assert response.status_code == 400
    assert not Order.objects.exists()


def test_the_shop_manager_reads_why_a_stripe_payment_was_refunded(
    client, product, big_product, stripe_server
):
    session_id = start_card_checkout(client, product)
    paid = stripe_server.pay(session_id)
    client.get(reverse("checkout:stripe-cancel"))
    flow.fill_basket(client, big_product)
    deliver(*stripe_server.event("checkout.session.completed", paid))
    checkout = StripeCheckout.objects.get(session_id=session_id)

    staff = shop_manager()
    listing = staff.get("/admin/payments/stripecheckout/?state=refunded")
    detail = staff.get(f"/admin/payments/stripecheckout/{checkout.pk}/change/")

    assert listing.status_code == 200 and session_id in listing.content.decode()
    assert "Le panier a changé après le début du paiement" in detail.content.decode()
    assert staff.post(f"/admin/payments/stripecheckout/{checkout.pk}/delete/").status_code == 403
