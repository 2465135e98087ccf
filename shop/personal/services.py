"""Writes for personal prints and extra photos: lines put in Oscar's basket with their photo,
crop or session as line attributes (Oscar Options), and the Booker told when extras are paid.

Who may print what is decided by the callers through shop.personal.selectors; the session's
state changes only through booker.services."""

from __future__ import annotations

import logging

from django.db import transaction
from oscar.core.loading import get_model

from booker import services as booker_services
from booker.models import FinalPhoto, PhotoSession

from . import selectors
from .pictures import Picture
from .selectors import CROP, EXTRA_RUSHES, IMAGE, PHOTO, SESSION, Crop

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")
Option = get_model("catalogue", "Option")
Product = get_model("catalogue", "Product")

log = logging.getLogger(__name__)


class PrintError(Exception):
    """A refused basket change, with a message for the client."""


def _options(**values: object) -> list[dict]:
    by_code = {o.code: o for o in Option.objects.filter(code__in=values)}
    return [{"option": by_code[code], "value": value} for code, value in values.items()]


def _variant(parent: Product, product_id: int, strategy) -> Product:
    if not any(v.product_id == product_id for v in selectors.print_variants(parent, strategy)):
        raise PrintError("Ce format n'est pas proposé.")
    return parent.children.get(pk=product_id)


def add_print_of_final(basket, final: FinalPhoto, product_id: int, crop: Crop, quantity: int = 1):
    """A print of a client's final in the basket: the chosen variant of the print parent, with
    the photo and its crop as line attributes. `final` must come from selectors.final_for."""
    variant = _variant(selectors.print_parent(), product_id, basket.strategy)
    line, _ = basket.add_product(
        variant, quantity, _options(**{PHOTO: final.pk, CROP: str(crop)})
    )
    return line


def add_print_of_product(basket, parent: Product, product_id: int, crop: Crop, quantity: int = 1,
                         *, picture: Picture | None = None):
    """A print of a catalogue photo (a print parent), with its crop; or of a public `picture`
    sold as that print (a gallery photo), which the line names for the lab."""
    variant = _variant(parent, product_id, basket.strategy)
    values: dict[str, object] = {CROP: str(crop)}
    if picture is not None:
        values[IMAGE] = picture.ref
    line, _ = basket.add_product(variant, quantity, _options(**values))
    return line


@transaction.atomic
def submit_with_extras(basket, session: PhotoSession, *, user) -> int:
    """Submit the client's selection (booker.services) and, when it has extras, put them in
    the basket. Returns how many extras are in the basket (0: nothing to pay)."""
    booker_services.submit_selection(session, user=user)
    if session.status != PhotoSession.Status.AWAITING_PAYMENT:
        return 0
    return put_extras_in_basket(basket, session)


def put_extras_in_basket(basket, session: PhotoSession) -> int:
    """One "Photo supplémentaire" line for the session's extra picks, replacing any earlier
    one (a client who comes back to pay gets the same line, not a second)."""
    if session.status != PhotoSession.Status.AWAITING_PAYMENT:
        raise PrintError("Cette sélection n'attend aucun paiement.")
    from booker import selectors as booker_selectors

    rushes = booker_selectors.extra_picks(session)
    if not rushes:
        return 0
    product = selectors.extras_product()
    if product is None:
        raise PrintError("Les photos supplémentaires ne sont pas en vente.")
    for line in basket.all_lines():
        extras = selectors.extras_of_line(line)
        if extras is not None and extras[0] == session.pk:
            line.delete()
    basket.reset_offer_applications()
    line, _ = basket.add_product(
        product,
        len(rushes),
        _options(**{SESSION: session.pk, EXTRA_RUSHES: ",".join(map(str, rushes))}),
    )
    # Oscar keeps the price seen at adding (to warn of a change later); it read the catalogue
    # price, the strategy's line price (fetch_for_line) is the session's.
    price = basket.strategy.fetch_for_line(line, line.stockrecord).price
    line.price_excl_tax, line.price_incl_tax = price.excl_tax, price.incl_tax
    line.save(update_fields=["price_excl_tax", "price_incl_tax"])
    return len(rushes)


def order_paid(order) -> None:
    """Unlock the extras an order paid for. What is unlocked comes from what was paid: each
    extras line's quantity and amount, never the photos its options ask for. A line that paid
    for fewer photos than it names passes only those, and the Booker records the payment
    without unlocking anything. Called by the `order_paid` receiver; safe to call twice (the
    Booker ignores a reference it has seen)."""
    for line in order.lines.prefetch_related("attributes__option"):
        extras = selectors.extras_of_line(line)
        if extras is None:
            continue
        session = PhotoSession.objects.filter(pk=extras[0]).first()
        if session is None:
            log.warning("Order %s paid extras of a session that no longer exists", order.number)
            continue
        paid = _photos_paid(line, session)
        if paid < len(extras[1]):
            log.warning(
                "Order %s line %s names %d extras of session %s but paid for %d",
                order.number, line.pk, len(extras[1]), session.pk, paid,
            )
        booker_services.extras_paid(
            session, extras[1][:paid], actor=order.user, reference=f"order {order.number}"
        )


def _photos_paid(line, session: PhotoSession) -> int:
    """How many photos an extras order line paid for: the Booker's extras rule, given the
    line's quantity and its amount before the shop's own discounts."""
    from booker import selectors as booker_selectors

    return booker_selectors.photos_paid_for(
        session, line.quantity, line.line_price_before_discounts_incl_tax
    )


def withdraw_extras(session_id: int) -> int:
    """The session's selection was reopened, or the session cancelled: an unpaid extras line
    naming it no longer matches what paying would unlock, so it leaves every basket not yet
    ordered (the client picks again and submits again, which puts a new line in). Removing
    the line ends the Stripe Checkout Sessions made for its basket (shop.payments' basket
    receivers); one paid all the same is refunded, its basket having changed. Called by the
    Booker's events (receivers.py). Returns how many lines were removed."""
    product = selectors.extras_product()
    if product is None:
        return 0
    lines = Line.objects.filter(
        product=product, basket__status__in=(Basket.OPEN, Basket.SAVED, Basket.FROZEN)
    ).prefetch_related("attributes__option")
    removed = 0
    for line in lines:
        extras = selectors.extras_of_line(line)
        if extras is not None and extras[0] == session_id:
            line.delete()
            removed += 1
    if removed:
        log.info("Session %s: %d unpaid extras line(s) withdrawn", session_id, removed)
    return removed
