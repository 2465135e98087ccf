"""Reads about payments: which methods a customer may use, who may read an invoice, which
orders wait for a company's approver, what is left due on an invoice after its credit
notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat
from oscar.core.loading import get_model

from booker import selectors as booker_selectors
from booker.events import Event
from booker.models import Company, Membership, SessionEvent
from booker.people.models import LEAD_ROLES

from . import gateway
from .models import (
    SOURCE_TYPE_NAMES,
    CreditNote,
    Invoice,
    InvoiceApproval,
    OrderApproval,
    PaymentMethod,
)

BasketLine = get_model("basket", "Line")


def invoice_companies(user) -> list[Company]:
    """The companies `user` may order for on invoice."""
    if not user.is_authenticated:
        return []
    return [
        m.company for m in booker_selectors.memberships_of(user) if m.company.pays_on_invoice
    ]


def approved_for_invoice(user) -> bool:
    """A private client a staff member allowed to pay on invoice."""
    return user.is_authenticated and InvoiceApproval.objects.filter(user=user).exists()


def payment_methods_for(user) -> list[PaymentMethod]:
    """Card only when Stripe is configured; at the studio / transfer always; on invoice for
    company members and approved private clients."""
    methods = []
    if gateway.enabled():
        methods.append(PaymentMethod.CARD)
    methods.append(PaymentMethod.STUDIO)
    if invoice_companies(user) or approved_for_invoice(user):
        methods.append(PaymentMethod.INVOICE)
    return methods


def payment_method_of(order) -> str | None:
    choice = getattr(order, "payment_choice", None)
    return choice.method if choice else None


@dataclass(frozen=True)
class PaymentSummary:
    """What the order pages show about payment, and which actions the dashboard offers."""

    method: str | None
    method_label: str
    awaiting_payment: bool
    invoice: Invoice | None
    refundable: Decimal
    # A payment that did not match the total waits for the shop manager (mark_order_paid).
    needs_check: bool
    received: Decimal
    # The credit notes that cancel all or part of the invoice, oldest first.
    credit_notes: tuple = ()


def payment_summary(order) -> PaymentSummary:
    method = payment_method_of(order)
    sources = list(order.sources.select_related("source_type"))
    card = SOURCE_TYPE_NAMES[PaymentMethod.CARD]
    refundable = sum(
        (s.amount_available_for_refund for s in sources if s.source_type.name == card),
        Decimal("0.00"),
    )
    return PaymentSummary(
        method=method,
        method_label=str(PaymentMethod(method).label) if method else "",
        awaiting_payment=order.status == settings.ORDER_AWAITING_PAYMENT,
        invoice=Invoice.objects.filter(order=order).first(),
        refundable=refundable if method == PaymentMethod.CARD else Decimal("0.00"),
        needs_check=order.status == settings.ORDER_PAYMENT_CHECK,
        received=sum((s.amount_debited for s in sources), Decimal("0.00")),
        credit_notes=tuple(CreditNote.objects.filter(invoice__order=order).order_by("number")),
    )


def may_read_invoice(user, invoice: Invoice) -> bool:
    """The customer who ordered, the managers of the invoiced company, and the shop's staff."""
    if not user.is_authenticated:
        return False
    if invoice.order.user_id == user.id:
        return True
    if user.is_staff and user.has_perm("partner.dashboard_access"):
        return True
    return bool(
        invoice.company_id
        and Membership.objects.filter(
            company_id=invoice.company_id, user=user, role__in=LEAD_ROLES
        ).exists()
    )


def _announced(event: str):
    """Whether `event` was emitted for the invoice's order (the engine's history holds it)."""
    return Exists(SessionEvent.objects.filter(name=event, subject=OuterRef("order_subject")))


def _unpaid_invoices() -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(paid_on__isnull=True)
        .exclude(order__status=settings.ORDER_CANCELLED)
        .annotate(order_subject=Concat(Value("order:"), Cast("order_id", CharField())))
        .select_related("order", "order__user")
        .order_by("due_on", "number")
    )


def invoices_due_soon(today: date) -> QuerySet[Invoice]:
    """Unpaid invoices due within BOOKE_INVOICE_REMIND_BEFORE_DAYS (not yet past due) whose
    "invoice due" was never announced."""
    soon = today + timedelta(days=settings.BOOKE_INVOICE_REMIND_BEFORE_DAYS)
    return _unpaid_invoices().filter(due_on__gte=today, due_on__lte=soon).exclude(
        _announced(Event.INVOICE_DUE)
    )


def invoices_overdue(today: date) -> QuerySet[Invoice]:
    """Unpaid invoices past their due date whose "invoice overdue" was never announced."""
    return _unpaid_invoices().filter(due_on__lt=today).exclude(_announced(Event.INVOICE_OVERDUE))


# --- A company's orders waiting for approval ----------------------------------------------------


def _leads(user, company_id: int | None) -> bool:
    return bool(
        company_id
        and user.is_authenticated
        and Membership.objects.filter(
            company_id=company_id, user=user, role__in=LEAD_ROLES
        ).exists()
    )


def approvers_of(company_id: int, *, besides=None) -> QuerySet[Membership]:
    """Who decides on the company's orders: its approvers and admins (LEAD_ROLES), but the
    person who ordered (nobody approves their own order)."""
    deciders = Membership.objects.filter(company_id=company_id, role__in=LEAD_ROLES,
                                         user__is_active=True)
    if besides is not None:
        deciders = deciders.exclude(user_id=besides.pk)
    return deciders.select_related("user").order_by("pk")


def needs_approval(user, company: Company | None, total: Decimal) -> bool:
    """Whether an order on invoice for `company` waits for a decision: its total (taxes
    included) is above the company's threshold and `user` is not an approver of it (an
    approver's own order is placed at once). An admin's order waits for another approver or
    admin, and is placed at once when the company has none (nobody approves their own)."""
    if company is None or company.order_approval_threshold is None:
        return False
    if total <= company.order_approval_threshold:
        return False
    role = (Membership.objects.filter(company=company, user=user)
            .values_list("role", flat=True).first() if user.is_authenticated else None)
    if role == Membership.Role.APPROVER:
        return False
    if role == Membership.Role.ADMIN:
        return approvers_of(company.pk, besides=user).exists()
    return True


def may_decide_approval(user, approval: OrderApproval) -> bool:
    """The approvers and admins of the approval's company but the person who ordered; nobody
    else (not the shop)."""
    return approval.requester_id != user.pk and _leads(user, approval.company_id)


def may_see_approval(user, approval: OrderApproval) -> bool:
    """Who decides it, and the member who asked."""
    return user.is_authenticated and (
        approval.requester_id == user.id or may_decide_approval(user, approval)
    )


def pending_approvals(company: Company) -> QuerySet[OrderApproval]:
    return OrderApproval.objects.filter(
        company=company, state=OrderApproval.State.PENDING
    ).select_related("requester")


# --- Credit notes ------------------------------------------------------------------------------


def credited(invoice: Invoice) -> Decimal:
    """What the invoice's credit notes cancel, together."""
    total = CreditNote.objects.filter(invoice=invoice).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def invoice_balance(invoice: Invoice) -> Decimal:
    """What of the invoice is not cancelled by a credit note (taxes included)."""
    return invoice.order.total_incl_tax - credited(invoice)


def may_read_credit_note(user, note: CreditNote) -> bool:
    """Who may read its invoice."""
    return may_read_invoice(user, note.invoice)


def approval_lines(approval: OrderApproval) -> list[dict[str, object]]:
    """The frozen basket's lines as the approver reads them (prices as at the request)."""
    return [
        {
            "title": line.product.get_title() if line.product else "",
            "quantity": line.quantity,
            "price": (line.price_incl_tax or Decimal("0")) * line.quantity,
        }
        for line in BasketLine.objects.filter(basket_id=approval.basket_id).select_related(
            "product"
        )
    ]


def approval_address(approval: OrderApproval) -> list[str]:
    """The shipping address the order will go to, as lines (none for a deposit, which ships
    nothing)."""
    data = approval.shipping_address or {}
    name = " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
    town = " ".join(part for part in (data.get("postcode"), data.get("line4")) if part)
    return [line for line in (name, data.get("line1"), data.get("line2"), town) if line]


# --- What an unpaid order still owes ------------------------------------------------------------


@dataclass(frozen=True)
class AmountOwed:
    """What is left to pay on an order, and how: the one answer the thank-you page, the
    confirmation email and the customer's order page give (they must never disagree)."""

    total: Decimal
    received: Decimal
    credited: Decimal
    amount: Decimal  # total − credited − received, never below zero
    method: str | None
    method_label: str
    # Where a transfer goes and what to write on it (empty when nothing is owed).
    beneficiary: str
    iban: str
    bic: str
    reference: str
    # The order may also be paid at the studio's counter (not an invoice).
    at_studio: bool

    @property
    def owed(self) -> bool:
        return self.amount > 0


def amount_owed(order) -> AmountOwed:
    """`order`'s outstanding amount with the studio's bank details and the reference to quote
    (the invoice's number on invoice, the order's otherwise). A cancelled or refunded order
    owes nothing; a card order owes nothing either: Stripe took the money before it was
    placed, and one whose payment did not match waits for the shop, not for the customer."""
    from booker.branding import studio_details

    method = payment_method_of(order)
    received = sum((s.amount_debited for s in order.sources.all()), Decimal("0.00"))
    invoice = Invoice.objects.filter(order=order).first()
    credit = credited(invoice) if invoice is not None else Decimal("0.00")
    settled = order.status in (settings.ORDER_CANCELLED, settings.ORDER_REFUNDED)
    unpaid_method = method in (PaymentMethod.STUDIO, PaymentMethod.INVOICE)
    amount = Decimal("0.00")
    if unpaid_method and not settled:
        amount = max(order.total_incl_tax - credit - received, Decimal("0.00"))
    owed = amount > 0
    studio = studio_details() if owed else {}
    bank = getattr(settings, "BOOKE_STUDIO", {}) or {}
    return AmountOwed(
        total=order.total_incl_tax,
        received=received,
        credited=credit,
        amount=amount,
        method=method,
        method_label=str(PaymentMethod(method).label) if method else "",
        beneficiary=(studio.get("legal_name") or studio.get("name", "")) if owed else "",
        iban=studio.get("iban", "") if owed else "",
        bic=str(bank.get("bic") or "") if owed else "",
        reference=(invoice.number if invoice is not None else str(order.number)) if owed
        else "",
        at_studio=owed and method == PaymentMethod.STUDIO,
    )
