"""The studio page of a session says what it is owed and what was ordered (issue 19): the
Booker's own amounts (the package, the extras rule's amount), and the shop's panel of the
orders tied to the session, registered through booker.sessions.panels (the Booker imports no
shop)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from booker import roles, services
from booker.models import PhotoSession
from booker.sessions.panels import session_panels
from tests.booker.factories_studio import proofing_session, rush_ids
from tests.factories import user_with_role
from tests.shop.prints import place_order

Status = PhotoSession.Status
pytestmark = pytest.mark.django_db


def awaiting_payment(client) -> PhotoSession:
    """Three picks on a package of one at 12 €: 24 € of extras, sent to the shop."""
    session = proofing_session(3, quota=1, extra_price=Decimal("12.00"))
    for pk in rush_ids(session):
        services.set_pick(session, pk, True, user=session.client)
    client.force_login(session.client)
    client.post(reverse("personal:extras", args=[session.pk]))
    session.refresh_from_db()
    assert session.status == Status.AWAITING_PAYMENT
    return session


def test_a_session_awaiting_payment_shows_the_amount_owed_and_its_order(client, catalogue):
    session = awaiting_payment(client)
    order = place_order(session.client, paid=False)
    boss = user_with_role(roles.PHOTOGRAPHER)
    client.force_login(boss)
    page = client.get(reverse("admin:booker_photosession_studio", args=[session.pk]))
    html = page.content.decode()
    assert page.context["money"].extras.total == Decimal("24.00")
    assert "2 photos supplémentaires × 12,00 € = <strong>24,00 € TTC</strong>" in html
    assert "en attente de paiement" in html
    assert reverse("dashboard:order-detail", kwargs={"number": order.number}) in html
    assert f"Commande n° {order.number}" in html and "non payée" in html


def test_the_panel_lists_only_the_session_s_own_orders(client, catalogue):
    mine = awaiting_payment(client)
    mine_order = place_order(mine.client, paid=True)
    other = awaiting_payment(client)
    other_order = place_order(other.client, paid=False)
    boss = user_with_role(roles.PHOTOGRAPHER)
    [panel] = [p for p in session_panels(mine, boss) if p.key == "shop-orders"]
    assert [row.label for row in panel.rows] == [f"Commande n° {mine_order.number}"]
    assert panel.rows[0].status.endswith("payée") and "non payée" not in panel.rows[0].status
    assert "24,00" in panel.rows[0].detail
    [panel] = [p for p in session_panels(other, boss) if p.key == "shop-orders"]
    assert [row.label for row in panel.rows] == [f"Commande n° {other_order.number}"]


def test_the_panel_shows_nobody_outside_the_studio_s_staff(client, catalogue):
    session = awaiting_payment(client)
    place_order(session.client, paid=False)
    assert [p for p in session_panels(session, session.client) if p.key == "shop-orders"] == []
