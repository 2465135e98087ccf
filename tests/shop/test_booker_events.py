"""The shop hears the Booker's typed events (booker.events): when the photographer reopens a
selection or the session is cancelled, its unpaid extras leave the client's basket and the
Stripe Checkout Session made for that basket ends, so the client cannot pay for a selection
that no longer exists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from booker import services
from booker.models import PhotoSession
from shop.payments import gateway
from shop.payments.models import StripeCheckout
from shop.personal import selectors
from tests.booker.factories_studio import proofing_session, rush_ids
from tests.shop.prints import basket_of, variant

Basket = get_model("basket", "Basket")
Status = PhotoSession.Status

pytestmark = pytest.mark.django_db


def awaiting_payment(client) -> PhotoSession:
    """A session whose client picked 3 photos for a package of 1 and sent the 2 extras to the
    basket (the shop's own submit page)."""
    session = proofing_session(3, quota=1, extra_price=Decimal("10.00"))
    for pk in rush_ids(session):
        services.set_pick(session, pk, True, user=session.client)
    client.force_login(session.client)
    client.post(reverse("personal:extras", args=[session.pk]))
    session.refresh_from_db()
    assert session.status == Status.AWAITING_PAYMENT
    return session


def extras_lines(user) -> list:
    return [line for line in basket_of(user).all_lines()
            if selectors.extras_of_line(line) is not None]


@pytest.fixture
def expired(monkeypatch) -> list[str]:
    """The Stripe sessions the shop expires (no Stripe here)."""
    calls: list[str] = []
    monkeypatch.setattr(gateway, "expire_checkout_session",
                        lambda session_id: calls.append(session_id) or {"id": session_id})
    return calls


def open_checkout(basket) -> StripeCheckout:
    return StripeCheckout.objects.create(
        session_id=f"cs_test_{basket.pk}", order_number=f"1{basket.pk:05d}", basket=basket,
        amount=Decimal("20.00"), currency="EUR",
    )


def test_reopening_the_selection_takes_the_unpaid_extras_out_of_the_basket_and_ends_its_checkout(
    client, catalogue, expired, django_capture_on_commit_callbacks
):
    session = awaiting_payment(client)
    basket = basket_of(session.client)
    basket.add_product(variant(), 1)  # a print in the same basket stays
    checkout = open_checkout(basket)
    assert len(extras_lines(session.client)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.reopen_selection(session, actor=None)

    assert extras_lines(session.client) == []
    assert [line.product for line in basket_of(session.client).all_lines()] == [variant()]
    assert expired == [checkout.session_id]
    checkout.refresh_from_db()
    assert checkout.state == StripeCheckout.State.EXPIRED


def test_a_cancelled_session_s_extras_leave_even_a_basket_frozen_for_payment(
    client, catalogue, expired, django_capture_on_commit_callbacks
):
    session = awaiting_payment(client)
    basket = basket_of(session.client)
    basket.freeze()
    open_checkout(basket)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session, actor=None, reason="client ill")

    assert not basket.all_lines().exists()
    assert len(expired) == 1


def test_other_sessions_extras_and_ordered_baskets_are_left_alone(
    client, catalogue, expired, django_capture_on_commit_callbacks
):
    reopened = awaiting_payment(client)
    other = awaiting_payment(client)
    ordered = basket_of(other.client)
    ordered_line = extras_lines(other.client)[0]
    ordered.submit()  # an order was placed with it: its line is history

    with django_capture_on_commit_callbacks(execute=True):
        services.reopen_selection(reopened, actor=None)

    assert extras_lines(reopened.client) == []
    assert ordered.all_lines().filter(pk=ordered_line.pk).exists()
    assert expired == []


def test_a_reopening_rolled_back_withdraws_nothing(
    client, catalogue, django_capture_on_commit_callbacks
):
    from django.db import transaction

    session = awaiting_payment(client)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.reopen_selection(session, actor=None)
            raise RuntimeError("the request failed after the move")

    assert len(extras_lines(session.client)) == 1
