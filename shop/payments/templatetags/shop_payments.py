from django import template

from shop.payments import selectors

register = template.Library()


@register.simple_tag
def payment_summary(order) -> selectors.PaymentSummary:
    """{% payment_summary order as payment %}: method, invoice, what can still be refunded."""
    return selectors.payment_summary(order)
