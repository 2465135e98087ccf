"""The shop's payments' periodic tasks, declared in the Booker's schedule registry (booker/
schedules.py finds this module by autodiscovery: the Booker does not import the shop)."""

from datetime import time

from booker.schedules import DAILY, Scheduled, declare

INVOICE_REMINDERS = Scheduled(
    # In the morning, when the accounts departments read their mail. Run by hand with
    # `manage.py send_invoice_reminders` when the schedule is paused.
    "shop.payments.send_invoice_reminders", "shop.payments.tasks.send_invoice_reminders", DAILY,
    at=time(9, 0),
)

declare(INVOICE_REMINDERS)
