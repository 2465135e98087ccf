"""django-q2 tasks of the shop's payments: thin callers of the services."""

from . import services


def send_invoice_reminders() -> str:
    return f"{services.send_invoice_reminders()} invoice reminder(s) sent"
