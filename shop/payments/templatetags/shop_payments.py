from django import template

from shop.payments import selectors

register = template.Library()


@register.simple_tag
def payment_summary(order) -> selectors.PaymentSummary:
    """{% payment_summary order as payment %}: method, invoice, what can still be refunded."""
    return selectors.payment_summary(order)


@register.simple_tag
def amount_owed(order) -> selectors.AmountOwed:
    """{% amount_owed order as owed %}: what is left to pay, to whom, with which reference."""
    return selectors.amount_owed(order)
