"""Reactions to Oscar's order and basket events; each calls a service."""

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from oscar.apps.order.signals import order_status_changed
from oscar.core.loading import get_model

from . import services

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")


@receiver(order_status_changed, dispatch_uid="shop.payments.shipped_email")
def announce_when_shipped(sender, order, old_status, new_status, **kwargs) -> None:
    # The dashboard sets "shipped" (order page or the list's bulk change): the customer hears.
    if new_status == settings.ORDER_SHIPPED:
        services.order_shipped(order)


@receiver(order_status_changed, dispatch_uid="shop.payments.credit_note")
def credit_note_when_cancelled(sender, order, old_status, new_status, **kwargs) -> None:
    # Cancelled or refunded on the dashboard: what is left of its invoice gets a credit note.
    services.order_cancelled_or_refunded(order, old_status, new_status)


@receiver(order_status_changed, dispatch_uid="shop.payments.payment_accepted")
def paid_when_accepted(sender, order, old_status, new_status, **kwargs) -> None:
    services.payment_accepted(order, old_status, new_status)


# A Stripe Checkout Session pays the basket it was made for: any change to the basket's lines
# (added, removed, quantity) or vouchers ends it.
@receiver(post_save, sender=Line, dispatch_uid="shop.payments.basket_line_saved")
@receiver(post_delete, sender=Line, dispatch_uid="shop.payments.basket_line_deleted")
def basket_line_changed(sender, instance, **kwargs) -> None:
    services.basket_changed(instance.basket_id)


@receiver(m2m_changed, sender=Basket.vouchers.through, dispatch_uid="shop.payments.vouchers")
def basket_vouchers_changed(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Basket):
        services.basket_changed(instance.pk)
