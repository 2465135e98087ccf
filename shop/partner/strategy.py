"""Prices for a French studio: a stock record holds the price as the shop manager typed it,
VAT included or not as the studio chose (settings.BOOKE_PRICES_INCLUDE_TAX, TTC by default);
customers see it with the 20 % VAT included.

Cents are rounded once, half up as French tills and invoices do: what was typed is kept to the
cent and the other side is derived from it. A price typed 79,20 € TTC is 79,20 € on the card,
the page, the basket, the invoice and the payment (66,00 € HT + 13,20 € of VAT); typed 66,00 €
HT, it is 79,20 € TTC too. Oscar's FixedRateTax kept the tax to four places (79,188 €), which
showed a 79,19 € here and summed to another total there."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner import availability, prices, strategy

CENT = Decimal("0.01")
VAT_RATE = Decimal("0.20")


def to_cents(amount: Decimal) -> Decimal:
    """`amount` rounded to the cent, half up (0,005 € → 0,01 €)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def split_incl_tax(incl: Decimal, rate: Decimal = VAT_RATE) -> tuple[Decimal, Decimal]:
    """(excl., tax) of a price including VAT: the price stays to the cent, the tax is what is
    left over once the price excl. VAT is rounded."""
    incl = to_cents(incl)
    excl = to_cents(incl / (1 + rate))
    return excl, incl - excl


def split_excl_tax(excl: Decimal, rate: Decimal = VAT_RATE) -> tuple[Decimal, Decimal]:
    """(excl., tax) of a price excluding VAT, the tax rounded to the cent."""
    excl = to_cents(excl)
    return excl, to_cents(excl * rate)


def prices_include_tax() -> bool:
    """Whether the prices typed in the dashboard include VAT (the studio's setting)."""
    return settings.BOOKE_PRICES_INCLUDE_TAX


class FromPrice(prices.TaxInclusiveFixedPrice):
    """A parent product's price: its cheapest variant's, and whether some variant costs more
    (the page then says "à partir de")."""

    def __init__(self, currency, excl_tax, tax, varies: bool):
        super().__init__(currency=currency, excl_tax=excl_tax, tax=tax)
        self.varies = varies


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
    rate = VAT_RATE
    exponent = CENT

    def pricing_policy(self, product, stockrecord):
        if not stockrecord or stockrecord.price is None:
            return prices.Unavailable()
        rate = self.get_rate(product, stockrecord)
        if prices_include_tax():
            excl, tax = split_incl_tax(stockrecord.price, rate)
        else:
            excl, tax = split_excl_tax(stockrecord.price, rate)
        return prices.TaxInclusiveFixedPrice(
            currency=stockrecord.price_currency, excl_tax=excl, tax=tax
        )

    def parent_pricing_policy(self, product, children_stock):
        """The cheapest variant one can buy (or, none being available, the cheapest one), where
        Oscar took the first child's price, whichever it was."""
        priced = [
            (child, record) for child, record in children_stock
            if record is not None and record.price is not None
        ]
        if not priced:
            return prices.Unavailable()
        available = [
            (child, record) for child, record in priced
            if self.availability_policy(child, record).is_available_to_buy
        ]
        candidates = [self.pricing_policy(child, record) for child, record in available or priced]
        lowest = min(candidates, key=lambda price: price.incl_tax)
        return FromPrice(
            currency=lowest.currency,
            excl_tax=lowest.excl_tax,
            tax=lowest.tax,
            varies=any(price.incl_tax != lowest.incl_tax for price in candidates),
        )

    def _incl_tax(self, info, incl: Decimal, availability_policy=None):
        excl, tax = split_incl_tax(incl, self.rate)
        price = prices.TaxInclusiveFixedPrice(
            currency=info.price.currency, excl_tax=excl, tax=tax
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
