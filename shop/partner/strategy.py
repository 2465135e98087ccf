"""Prices for a French studio: stock records hold prices excluding VAT, customers see them
with 20 % VAT included."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from oscar.apps.partner import availability, prices, strategy


class DepositPayable(availability.Available):
    """A booking's deposit the Booker says is payable: one line, one deposit (a quantity of 2
    would charge it twice)."""

    def is_purchase_permitted(self, quantity):
        if quantity != 1:
            return False, _("a booking's deposit is paid once")
        return True, ""


class DepositNotPayable(availability.Unavailable):
    """A deposit line whose booking awaits no deposit any more (its hold expired, it was
    cancelled, declined or paid already): checkout refuses it."""

    code = "unavailable"
    message = _("This booking no longer awaits a deposit")

    def is_purchase_permitted(self, quantity):
        return False, _("this booking no longer awaits a deposit")


class FranceStrategy(
    strategy.UseFirstStockRecord,
    strategy.StockRequired,
    strategy.FixedRateTax,
    strategy.Structured,
):
    rate = Decimal("0.20")

    def _incl_tax(self, info, incl: Decimal, availability_policy=None):
        excl = (incl / (1 + self.rate)).quantize(Decimal("0.01"))
        price = prices.TaxInclusiveFixedPrice(
            currency=info.price.currency, excl_tax=excl, tax=incl - excl
        )
        return strategy.PurchaseInfo(
            price=price,
            availability=availability_policy or info.availability,
            stockrecord=info.stockrecord,
        )

    def fetch_for_line(self, line, stockrecord=None):
        """An extra photo costs what the client's session says (incl. VAT, copied from the
        package at booking), not the catalogue's price: its line carries the session. A
        booking's deposit costs what the Booker says is payable now (its line carries the
        booking)."""
        info = super().fetch_for_line(line, stockrecord)
        from shop.deposits import selectors as deposits
        from shop.personal.selectors import extras_unit_price

        if line.pk and deposits.is_deposit_line(line):
            return self._deposit(line, info, deposits.deposit_line_price(line))
        incl = extras_unit_price(line) if line.pk else None
        if incl is None:
            return info
        return self._incl_tax(info, incl)

    def _deposit(self, line, info, payable: Decimal | None):
        if payable is not None:
            return self._incl_tax(info, payable, DepositPayable())
        # Nothing payable now: checkout refuses the line. Its price stays the one it was put in
        # the basket at, so that a card payment already on its way still pays the basket it
        # was made for; the order it places is then settled by the Booker (booking_paid), and
        # refunded if the slot was lost (shop.deposits.services.order_paid).
        incl = line.price_incl_tax if line.price_incl_tax is not None else Decimal("0.00")
        return self._incl_tax(info, incl, DepositNotPayable())


class Selector(strategy.Selector):
    def strategy(self, request=None, user=None, **kwargs):
        return FranceStrategy(request)
