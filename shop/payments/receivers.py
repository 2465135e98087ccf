"""Reactions to Oscar's order events; each calls a service or the notifications module."""

from django.conf import settings
from django.dispatch import receiver
from oscar.apps.order.signals import order_status_changed

from shop import notifications


@receiver(order_status_changed, dispatch_uid="shop.payments.shipped_email")
def email_when_shipped(sender, order, old_status, new_status, **kwargs) -> None:
    # The dashboard sets "shipped" (order page or the list's bulk change): the customer hears.
    if new_status == settings.ORDER_SHIPPED:
        notifications.send_on_commit(order, "shipped")
