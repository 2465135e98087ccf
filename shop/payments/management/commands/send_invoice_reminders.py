from django.core.management.base import BaseCommand

from shop.payments import services


class Command(BaseCommand):
    help = (
        "Announce unpaid invoices due within BOOKE_INVOICE_REMIND_BEFORE_DAYS days, then "
        "overdue, once each (the automation rules send the reminders). django-q2 runs it "
        "daily (schedule shop.payments.send_invoice_reminders); this is the manual way."
    )

    def handle(self, *args, **options):
        sent = services.send_invoice_reminders()
        self.stdout.write(f"{sent} relance(s) annoncée(s).")
