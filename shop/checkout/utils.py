"""The checkout session, plus what paying on invoice needs: the purchase-order number and the
company ordering."""

from oscar.apps.checkout.utils import CheckoutSessionData as OscarCheckoutSessionData


class CheckoutSessionData(OscarCheckoutSessionData):
    def set_invoice_details(self, po_number: str, company_id: int | None) -> None:
        self._set("payment", "po_number", po_number)
        self._set("payment", "company_id", company_id)

    def invoice_details(self) -> tuple[str, int | None]:
        return self._get("payment", "po_number", ""), self._get("payment", "company_id")
