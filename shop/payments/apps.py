from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """How orders are paid: Stripe Checkout, pay at the studio / transfer, pay on invoice."""

    name = "shop.payments"
    verbose_name = _("Paiements")

    def ready(self) -> None:
        from shop import notifications

        from . import receivers  # noqa: F401 -- connects its order and basket receivers

        # The automation engine's view of orders and baskets, and the shop's default rules
        # (declared before `migrate` creates them).
        notifications.register()
        # The company dashboard's orders, invoices and credit notes (the Booker asks).
        from . import panels

        panels.register()
        # The orders tied to a session, on its studio page (the Booker asks).
        from . import session_panels

        session_panels.register()
        # Its orders, addresses, reviews and wish lists in a person's data export (GDPR).
        from . import personal_data

        personal_data.register()
        # Its orders and reviews on a contact's timeline in the studio's CRM (the Booker asks).
        from . import crm_timeline

        crm_timeline.register()
