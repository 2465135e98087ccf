"""Prices for a French studio: stock records hold prices excluding VAT, customers see them
with 20 % VAT included."""

from decimal import Decimal

from oscar.apps.partner import strategy


class FranceStrategy(
    strategy.UseFirstStockRecord,
    strategy.StockRequired,
    strategy.FixedRateTax,
    strategy.Structured,
):
    rate = Decimal("0.20")


class Selector(strategy.Selector):
    def strategy(self, request=None, user=None, **kwargs):
        return FranceStrategy(request)
