"""Prices for a French studio: stock records hold prices excluding VAT, customers see them
with 20 % VAT included."""

from decimal import Decimal

from oscar.apps.partner import prices, strategy


class FranceStrategy(
    strategy.UseFirstStockRecord,
    strategy.StockRequired,
    strategy.FixedRateTax,
    strategy.Structured,
):
    rate = Decimal("0.20")

    def fetch_for_line(self, line, stockrecord=None):
        """An extra photo costs what the client's session says (incl. VAT, copied from the
        package at booking), not the catalogue's price: its line carries the session."""
        info = super().fetch_for_line(line, stockrecord)
        from shop.personal.selectors import extras_unit_price

        incl = extras_unit_price(line) if line.pk else None
        if incl is None:
            return info
        excl = (incl / (1 + self.rate)).quantize(Decimal("0.01"))
        price = prices.TaxInclusiveFixedPrice(
            currency=info.price.currency, excl_tax=excl, tax=incl - excl
        )
        return strategy.PurchaseInfo(
            price=price, availability=info.availability, stockrecord=info.stockrecord
        )


class Selector(strategy.Selector):
    def strategy(self, request=None, user=None, **kwargs):
        return FranceStrategy(request)
