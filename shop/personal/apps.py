from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def pay_extras_url(session) -> str:
    """The page that puts a session's extra photos in the basket (and submits the selection)."""
    return reverse("personal:extras", args=[session.pk])


def order_print_url(final) -> str:
    """The print chooser for a delivered photo."""
    return reverse("personal:final", args=[final.pk])


def addresses_url(_obj=None) -> str:
    """The customer's address book ("Mon compte" links to it)."""
    return reverse("customer:address-list")


def orders_url(_obj=None) -> str:
    """The customer's orders and their invoices ("Mon compte" links to it)."""
    return reverse("customer:order-list")


class PersonalConfig(AppConfig):
    """Personal prints of delivered photos, extra photos of a selection, and the lab's list."""

    name = "shop.personal"
    label = "personal"
    verbose_name = _("Tirages personnels")

    def ready(self) -> None:
        from booker.links import register_link

        # Unlocks paid extras when an order is paid, withdraws unpaid ones the Booker's events
        # make stale.
        from . import receivers  # noqa: F401

        # The client's portal (booker) links to these shop pages without naming them: the
        # booker cannot depend on the shop, so the shop hands it the URLs (booker/links.py).
        register_link("pay_extras", pay_extras_url)
        register_link("order_print", order_print_url)
        register_link("addresses", addresses_url)
        register_link("orders", orders_url)

        # "Bought a print" for the Booker's marketing segments.
        from shop import marketing

        marketing.register()
