from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def deposit_page_url(booking) -> str:
    """The page that puts a booking's deposit in the basket and goes on to the checkout."""
    return reverse("deposits:pay", args=[booking.token])


class DepositsConfig(AppConfig):
    """A booking's deposit paid through the shop's checkout, and refunded through it."""

    name = "shop.deposits"
    label = "deposits"
    verbose_name = _("Acomptes de réservation")

    def ready(self) -> None:
        from booker.booking.payments import register_deposit_page

        # Tells the Booker when a deposit order is paid or placed on invoice, refunds a
        # cancelled booking's deposit, withdraws deposits no longer payable.
        from . import receivers  # noqa: F401

        # The booker cannot depend on the shop: the shop hands it the deposit page.
        register_deposit_page(deposit_page_url)
