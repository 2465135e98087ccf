"""How an order is paid: the method chosen at checkout, the Stripe Checkout Session behind a card
payment, the invoice of an order paid on invoice, and the B2C clients allowed to pay that way."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Carte bancaire")
    STUDIO = "studio", _("Au studio ou par virement")
    INVOICE = "invoice", _("Sur facture")


# Oscar's payment source type of each method, as the dashboard shows it.
SOURCE_TYPE_NAMES = {
    PaymentMethod.CARD: "Carte (Stripe)",
    PaymentMethod.STUDIO: "Au studio / virement",
    PaymentMethod.INVOICE: "Facture",
}


class InvoiceApproval(models.Model):
    """A private (B2C) client a staff member allowed to pay on invoice. Company members need no
    approval: their company's `pays_on_invoice` decides."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="invoice_approval",
        verbose_name=_("client"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approuvé par"),
    )
    approved_at = models.DateTimeField(_("approuvé le"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("client autorisé à payer sur facture")
        verbose_name_plural = _("clients autorisés à payer sur facture")

    def __str__(self) -> str:
        return str(self.user)


class OrderPayment(models.Model):
    """The payment method an order was placed with (Oscar's Order knows nothing of it)."""

    order = models.OneToOneField(
        "order.Order", on_delete=models.CASCADE, related_name="payment_choice"
    )
    method = models.CharField(_("mode de paiement"), max_length=16, choices=PaymentMethod.choices)

    class Meta:
        verbose_name = _("mode de paiement d'une commande")
        verbose_name_plural = _("modes de paiement des commandes")

    def __str__(self) -> str:
        return f"{self.order.number}: {self.get_method_display()}"


class StripeCheckout(models.Model):
    """A Stripe Checkout Session and everything needed to place its order without the browser
    that started it: the webhook may arrive before (or instead of) the customer's return.

    The row is locked (select_for_update) while its order is placed, so that the webhook and
    the return page place it once; `order_number` being unique on Oscar's Order backs that up.

    A session pays only the basket it was made for (`fingerprint`): it is expired at Stripe
    when its checkout is cancelled or its basket changes, and a payment that arrives all the
    same for a basket that changed is refunded (or, if Stripe refuses, held for the shop)."""

    class State(models.TextChoices):
        OPEN = "open", _("ouverte")
        EXPIRED = "expired", _("expirée")
        PLACED = "placed", _("commande passée")
        REFUNDED = "refunded", _("remboursée (panier changé)")
        HELD = "held", _("à vérifier par la boutique")

    session_id = models.CharField(_("session Stripe"), max_length=255, unique=True)
    # Not unique: a customer who comes back from Stripe and changes the basket gets a new
    # session for the same order number (the older one is expired at Stripe).
    order_number = models.CharField(_("numéro de commande"), max_length=128, db_index=True)
    basket = models.ForeignKey("basket.Basket", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("client"),
    )
    guest_email = models.EmailField(_("e-mail (commande sans compte)"), blank=True)
    shipping_address = models.JSONField(null=True, blank=True)
    billing_address = models.JSONField(null=True, blank=True)
    shipping_method_code = models.CharField(max_length=128, blank=True)
    amount = models.DecimalField(_("montant TTC"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=12)
    payment_intent = models.CharField(_("paiement Stripe"), max_length=255, blank=True)
    order = models.OneToOneField(
        "order.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stripe_checkout",
        verbose_name=_("commande"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    placed_at = models.DateTimeField(_("commande passée le"), null=True, blank=True)
    # shop.payments.services.basket_fingerprint of the frozen basket and its total.
    fingerprint = models.CharField(max_length=64, blank=True)
    state = models.CharField(
        _("état"), max_length=16, choices=State.choices, default=State.OPEN
    )
    # Why a payment was refunded or held: what the shop manager reads.
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("paiement Stripe")
        verbose_name_plural = _("paiements Stripe")

    def __str__(self) -> str:
        return f"{self.order_number} ({self.session_id})"


class InvoiceCounter(models.Model):
    """The last invoice number of a year. Numbers are taken under a row lock in the transaction
    that places the order: a rolled-back order gives its number back, so there are no gaps."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Invoice(models.Model):
    """The invoice of an order paid on invoice. Seller and buyer are copied at issue: an invoice
    says what was true the day it was issued, whatever the company's address becomes."""

    order = models.OneToOneField("order.Order", on_delete=models.PROTECT, related_name="invoice",
                                 verbose_name=_("commande"))
    number = models.CharField(_("numéro"), max_length=32, unique=True)
    issued_on = models.DateField(_("date d'émission"))
    due_on = models.DateField(_("échéance"))
    po_number = models.CharField(_("bon de commande"), max_length=64, blank=True)
    company = models.ForeignKey(
        "booker.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entreprise"),
    )
    seller = models.JSONField(_("vendeur"))
    buyer = models.JSONField(_("client"))
    paid_on = models.DateField(_("payée le"), null=True, blank=True)
    last_reminder_on = models.DateField(_("dernière relance"), null=True, blank=True)

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.number


class OrderApproval(models.Model):
    """A company member's order on invoice above the company's approval threshold
    (`Company.order_approval_threshold`): it is not placed. Its basket stays frozen, with what
    placing it needs (addresses, shipping method, PO number), until an approver of the company
    approves it (the order is then placed on invoice, the requester its customer) or refuses
    it with a reason (the basket goes back to the requester)."""

    class State(models.TextChoices):
        PENDING = "pending", _("en attente d'approbation")
        APPROVED = "approved", _("approuvée")
        REFUSED = "refused", _("refusée")
        # The basket changed or its prices moved before the decision: given back.
        STALE = "stale", _("caduque")
        # The member took it back before anyone decided: the basket is theirs again.
        WITHDRAWN = "withdrawn", _("retirée")

    company = models.ForeignKey(
        "booker.Company", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("entreprise"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("demandeur"),
    )
    basket = models.ForeignKey("basket.Basket", on_delete=models.PROTECT, related_name="+")
    # Not unique: a refused basket comes back, and asking again gives it the same number
    # (Oscar's is the basket's); the order it places is unique.
    order_number = models.CharField(_("numéro de commande"), max_length=128, db_index=True)
    po_number = models.CharField(_("bon de commande"), max_length=64, blank=True)
    shipping_address = models.JSONField(null=True, blank=True)
    billing_address = models.JSONField(null=True, blank=True)
    shipping_method_code = models.CharField(max_length=128, blank=True)
    amount = models.DecimalField(_("montant TTC"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=12)
    # shop.payments.services.basket_fingerprint of the frozen basket and its total.
    fingerprint = models.CharField(max_length=64, blank=True)
    state = models.CharField(
        _("état"), max_length=16, choices=State.choices, default=State.PENDING
    )
    requested_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    reason = models.TextField(_("motif"), blank=True)
    order = models.OneToOneField(
        "order.Order", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="approval", verbose_name=_("commande"),
    )

    class Meta:
        verbose_name = _("commande à approuver")
        verbose_name_plural = _("commandes à approuver")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.order_number} ({self.get_state_display()})"


class CreditNoteCounter(models.Model):
    """The last credit-note number of a year: its own series ("AV-"), beside the invoices'."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CreditNote(models.Model):
    """An "avoir": cancels all or part of an invoice (an order cancelled or refunded, a
    booking's deposit no longer due). Seller and buyer are the invoice's, copied at issue."""

    number = models.CharField(_("numéro"), max_length=32, unique=True)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="credit_notes",
        verbose_name=_("facture"),
    )
    amount = models.DecimalField(_("montant TTC"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("motif"), max_length=255)
    issued_on = models.DateField(_("date d'émission"))
    seller = models.JSONField(_("vendeur"))
    buyer = models.JSONField(_("client"))

    class Meta:
        verbose_name = _("avoir")
        verbose_name_plural = _("avoirs")
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.number
