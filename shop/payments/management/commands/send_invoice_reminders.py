from django.core.management.base import BaseCommand

from shop.payments import services


class Command(BaseCommand):
    help = (
        "Remind customers of unpaid invoices due within BOOKE_INVOICE_REMIND_BEFORE_DAYS days "
        "or overdue (at most every BOOKE_INVOICE_REMINDER_EVERY days). django-q2 runs it "
        "daily (schedule shop.payments.send_invoice_reminders); this is the manual way."
    )

    def handle(self, *args, **options):
        sent = services.send_invoice_reminders()
        self.stdout.write(f"{sent} relance(s) envoyée(s).")
