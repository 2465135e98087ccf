"""The shop's payment event, turned into a call to our service (no rule here)."""

from django.dispatch import receiver

from shop.payments.signals import order_paid

from . import services


@receiver(order_paid, dispatch_uid="personal.extras_paid")
def unlock_paid_extras(sender, order, **kwargs) -> None:
    services.order_paid(order)
