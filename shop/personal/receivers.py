"""What the personal prints and extras hear, turned into calls to our services (no rule here):
the shop's payment event, and the Booker's typed events (booker.events, sent after commit)."""

from django.dispatch import receiver

from booker.events import Event, Happened, subscribe
from shop.payments.signals import order_paid

from . import services


@receiver(order_paid, dispatch_uid="personal.extras_paid")
def unlock_paid_extras(sender, order, **kwargs) -> None:
    services.order_paid(order)


@subscribe(Event.SELECTION_REOPENED, Event.SESSION_CANCELLED)
def withdraw_unpayable_extras(event: Happened) -> None:
    # The photos the extras line names may no longer be the client's extras (or wanted at
    # all): the client must not be able to pay for a selection that no longer exists.
    services.withdraw_extras(event.session_id)
