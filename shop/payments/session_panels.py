"""The shop's panel on a session's studio page (booker.sessions.panels, registered by
PaymentsConfig.ready): the orders tied to the session — its extra photos, the prints of its
finals, its booking's deposit — with their number, status, amount and whether the money is
in, each linked to the order in the dashboard."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from oscar.core.loading import get_model

from booker.models import FinalPhoto, PhotoSession
from booker.money import euros
from booker.people.models import User
from booker.sessions.panels import SessionPanel
from booker.teams.panels import PanelRow
from shop.deposits.selectors import RESERVATION
from shop.personal.selectors import PHOTO, SESSION, paid_statuses

Order = get_model("order", "Order")

# How many orders the panel lists (the most recent first).
ROWS = 20


def _as_values(ids) -> list:
    """Line options are JSON: a session or final id may have been stored as a number or text."""
    ids = list(ids)
    return ids + [str(pk) for pk in ids]


def session_orders(session: PhotoSession):
    """The orders with a line tied to `session`: its extras (the "seance" option), a print of
    one of its finals (the "photo" option), its online booking's deposit (the "reservation"
    option)."""
    tied = Q(lines__attributes__option__code=SESSION,
             lines__attributes__value__in=_as_values([session.pk]))
    finals = FinalPhoto.objects.filter(job__session=session).values_list("pk", flat=True)
    final_ids = list(finals)
    if final_ids:
        tied |= Q(lines__attributes__option__code=PHOTO,
                  lines__attributes__value__in=_as_values(final_ids))
    booking = getattr(session, "booking", None)
    if booking is not None:
        tied |= Q(lines__attributes__option__code=RESERVATION,
                  lines__attributes__value=booking.token)
    ids = Order.objects.filter(tied).values("pk")
    return Order.objects.filter(pk__in=ids).order_by("-date_placed", "-pk")


def orders_panel(session: PhotoSession, user: User) -> SessionPanel | None:
    if not user.is_staff:
        return None
    paid = set(paid_statuses())
    rows = [
        PanelRow(
            label=f"Commande n° {order.number}",
            url=reverse("dashboard:order-detail", kwargs={"number": order.number}),
            status=f"{order.status} — {'payée' if order.status in paid else 'non payée'}",
            detail=f"{euros(order.total_incl_tax)} TTC — "
                   f"{date_format(timezone.localtime(order.date_placed), 'j F Y')}",
        )
        for order in session_orders(session)[:ROWS]
    ]
    return SessionPanel(key="shop-orders", title="Commandes de la séance", rows=rows,
                        empty="Aucune commande liée à cette séance.")


def register() -> None:
    from booker.sessions.panels import register_session_panel

    register_session_panel(orders_panel)
