"""The shop's payment events, for the other parts of the shop to react to."""

from django.dispatch import Signal

# Sent once, right after an order became paid (card, recorded invoice payment, payment at the
# studio), from shop.payments.services.mark_order_paid, after the transaction commits.
# kwargs: order (oscar Order). Receivers should call a service, not hold rules themselves.
order_paid = Signal()
