"""Writes about baskets: the baskets their owners left (BASKET_ABANDONED, for the automation
engine's rules: a marketing email, sent only to those who agreed to them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from oscar.core.loading import get_model

from booker.events import Event
from booker.models import SessionEvent
from shop import notifications

Basket = get_model("basket", "Basket")

# A basket is left when nothing in it changed for this long.
IDLE = timedelta(hours=24)
# Older baskets are not chased: the first run would otherwise write about every basket ever left.
OLDEST = timedelta(days=7)


def abandoned_baskets(now: datetime):
    """Open baskets of active customers, with lines, untouched for IDLE (but not OLDEST)."""
    return (
        Basket.open.filter(owner__isnull=False, owner__is_active=True)
        .annotate(last_change=Max("lines__date_updated"))
        .filter(last_change__lt=now - IDLE, last_change__gte=now - OLDEST)
        .select_related("owner")
        .order_by("pk")
    )


def announce_abandoned_baskets(now: datetime | None = None) -> int:
    """Emits BASKET_ABANDONED once per basket left, and again only once it has changed and been
    left again. Safe to run twice, or in two processes at once. Returns how many were new."""
    now = now or timezone.now()
    announced = 0
    for basket in abandoned_baskets(now):
        announced += _announce(basket)
    return announced


def _announce(basket) -> int:
    with transaction.atomic():
        # The basket's lock makes a second run wait, then find the event and stop.
        Basket._default_manager.select_for_update().filter(pk=basket.pk).first()
        told = SessionEvent.objects.filter(
            name=Event.BASKET_ABANDONED, subject=notifications.basket_subject(basket),
            created_at__gte=basket.last_change,
        )
        if told.exists():
            return 0
        basket = notifications.priced(basket)
        notifications.basket_event(Event.BASKET_ABANDONED, basket, lines=basket.num_lines,
                                   total=basket.total_incl_tax)
    return 1
