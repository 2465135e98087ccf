"""The shop's payment events, for the other parts of the shop to react to."""

from django.dispatch import Signal

# Sent once, right after an order became paid (card, recorded invoice payment, payment at the
# studio), from shop.payments.services.mark_order_paid, after the transaction commits.
# kwargs: order (oscar Order). Receivers should call a service, not hold rules themselves.
order_paid = Signal()

# Sent once an order placed unpaid on invoice is committed (its invoice issued), from
# shop.payments.services.record_payment_method: what it sells may be delivered before the
# invoice is paid (a company's booking is confirmed on its deposit's invoice, shop.deposits).
# kwargs: order (oscar Order).
order_invoiced = Signal()

# Sent once an unpaid order on invoice is cancelled (the dashboard), after commit, from
# shop.payments.services.order_cancelled_or_refunded: what it sold on the invoice's promise
# must not stay delivered (a company's booking confirmed on its deposit's invoice).
# kwargs: order (oscar Order).
order_invoice_cancelled = Signal()
