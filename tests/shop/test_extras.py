"""Extra photos: a selection above its package goes to the basket as one "Photo
supplémentaire" line at the session's price, and the studio may retouch only once paid."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from booker import services
from booker.models import PhotoSession, SessionEvent
from shop.personal import selectors
from tests.booker.factories_studio import proofing_session, rush_ids
from tests.shop.prints import basket_of, place_order

Status = PhotoSession.Status

pytestmark = pytest.mark.django_db


def picked_session(price: str = "10.00", picks: int = 3, quota: int = 1) -> PhotoSession:
    session = proofing_session(max(picks, 3), quota=quota, extra_price=Decimal(price))
    for pk in rush_ids(session)[:picks]:
        services.set_pick(session, pk, True, user=session.client)
    return session


def submit(client, session: PhotoSession):
    client.force_login(session.client)
    return client.post(reverse("personal:extras", args=[session.pk]))


def test_the_submit_page_sends_a_selection_with_extras_to_the_shop(client, catalogue):
    session = picked_session()
    client.force_login(session.client)
    html = client.get(reverse("portal:submit", args=[session.pk])).content.decode()
    assert f'action="{reverse("personal:extras", args=[session.pk])}"' in html


def test_submitting_puts_the_extras_in_the_basket_at_the_session_s_price(client, catalogue):
    session = picked_session(price="10.00", picks=3, quota=1)

    response = submit(client, session)

    assert response.status_code == 302 and response["Location"] == reverse("basket:summary")
    session.refresh_from_db()
    assert session.status == Status.AWAITING_PAYMENT
    [line] = basket_of(session.client).all_lines()
    assert line.quantity == 2
    assert selectors.extras_of_line(line) == (session.pk, rush_ids(session)[1:3])
    # The catalogue price is not used: the session's price (incl. VAT) is what the client pays.
    assert line.unit_price_incl_tax == Decimal("10.00")
    assert line.unit_price_excl_tax == Decimal("8.33")
    assert line.line_price_incl_tax == Decimal("20.00")
    html = client.get(reverse("basket:summary")).content.decode()
    assert "20,00" in html


def test_coming_back_to_pay_keeps_one_line(client, catalogue):
    session = picked_session()
    submit(client, session)
    session.refresh_from_db()
    html = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    assert reverse("personal:extras", args=[session.pk]) in html  # the "pay" button

    submit(client, session)

    [line] = basket_of(session.client).all_lines()
    assert line.quantity == 2


def test_a_selection_within_the_package_goes_straight_to_the_studio(client, catalogue):
    session = picked_session(picks=1, quota=1)
    response = submit(client, session)
    assert response["Location"] == reverse("portal:session", args=[session.pk])
    session.refresh_from_db()
    assert session.status == Status.SELECTION_SUBMITTED
    assert not basket_of(session.client).all_lines()


def test_paying_the_order_moves_the_session_on_once(client, catalogue):
    session = picked_session()
    submit(client, session)
    with pytest.raises(services.IllegalTransition):
        services.start_retouching(session, actor=None)

    order = place_order(session.client)

    session.refresh_from_db()
    assert session.status == Status.SELECTION_SUBMITTED
    event = SessionEvent.objects.get(session=session, name="session.extras_paid")
    assert event.payload["reference"] == f"order {order.number}"
    assert event.payload["rushes"] == rush_ids(session)[1:3]
    # The signal again (a retried webhook, say) changes nothing.
    services.extras_paid(session, rush_ids(session)[1:3], actor=None,
                         reference=f"order {order.number}")
    events = SessionEvent.objects.filter(session=session, name__startswith="session.extras")
    assert events.count() == 1
    assert len(services.start_retouching(session, actor=None)) == 3


def test_an_unpaid_order_unlocks_nothing(client, catalogue):
    session = picked_session()
    submit(client, session)
    place_order(session.client, paid=False)
    session.refresh_from_db()
    assert session.status == Status.AWAITING_PAYMENT


def test_a_payment_for_a_selection_reopened_since_is_recorded_not_applied(client, catalogue):
    session = picked_session()
    submit(client, session)
    services.reopen_selection(session, actor=None)

    place_order(session.client)

    session.refresh_from_db()
    assert session.status == Status.PROOFING
    assert SessionEvent.objects.filter(
        session=session, name="session.extras_paid_unmatched"
    ).exists()


def test_another_client_cannot_submit_someone_else_s_selection(client, catalogue):
    from tests.factories import UserFactory

    session = picked_session()
    client.force_login(UserFactory())
    assert client.post(reverse("personal:extras", args=[session.pk])).status_code == 404
    session.refresh_from_db()
    assert session.status == Status.PROOFING
