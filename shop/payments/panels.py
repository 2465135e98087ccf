"""The shop's panels on a company's dashboard (booker.teams.panels, registered by
PaymentsConfig.ready): its orders (and those waiting for approval), its invoices with their
status, its credit notes, and what the company spent this year. Leads (admins, approvers) see
the company's; a member sees their own orders and invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from oscar.core.loading import get_model

from booker.models import Company, Membership
from booker.money import euros
from booker.people.models import User
from booker.teams.panels import CompanyPanel, PanelRow

from . import selectors
from .models import CreditNote, Invoice, OrderPayment, PaymentMethod
from .services import EVENT_REFUND

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")

# How many rows a panel shows (the most recent first).
ROWS = 10


def _membership(company: Company, user: User) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(company=company, user=user).first()


def invoice_status(invoice: Invoice, today: date) -> str:
    """"payée", "annulée" (cancelled by its credit notes), "en retard" or "à régler"."""
    if invoice.paid_on:
        return "payée"
    if selectors.invoice_balance(invoice) <= 0:
        return "annulée"
    if invoice.due_on < today:
        return "en retard"
    return "à régler"


def _company_invoices(company: Company, user: User, leads: bool):
    invoices = Invoice.objects.filter(company=company).select_related("order")
    return invoices if leads else invoices.filter(order__user=user)


def spent_this_year(company: Company, *, today: date | None = None) -> Decimal:
    """What the company spent this calendar year, taxes included: its invoices of the year
    less the credit notes issued on them this year, plus the card orders its members paid for
    it (its bookings' deposits), less what was refunded of them."""
    year = (today or timezone.localdate()).year
    invoiced = Invoice.objects.filter(company=company, issued_on__year=year).aggregate(
        total=Sum("order__total_incl_tax"))["total"] or Decimal("0")
    credited = CreditNote.objects.filter(
        invoice__company=company, issued_on__year=year
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    from shop.deposits.selectors import company_deposit_order_ids

    card_orders = Order.objects.filter(
        pk__in=company_deposit_order_ids(company.pk), date_placed__year=year,
        payment_choice__method=PaymentMethod.CARD,
    ).exclude(status__in=(settings.ORDER_AWAITING_PAYMENT, settings.ORDER_CANCELLED))
    card = card_orders.aggregate(total=Sum("total_incl_tax"))["total"] or Decimal("0")
    refunded = PaymentEvent.objects.filter(
        order__in=card_orders, event_type__name=EVENT_REFUND
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return invoiced - credited + card - refunded


def orders_panel(company: Company, user: User) -> CompanyPanel | None:
    membership = _membership(company, user)
    if membership is None:
        return None
    leads = membership.leads
    rows = []
    approvals = selectors.pending_approvals(company)
    if not leads:
        approvals = approvals.filter(requester=user)
    for approval in approvals[:ROWS]:
        who = approval.requester.get_full_name() or approval.requester.email
        rows.append(PanelRow(
            label=f"Commande de {who}",
            url=reverse("payments:approval", args=[approval.pk]),
            status="à approuver" if selectors.may_decide_approval(user, approval)
            else "en attente d'approbation",
            detail=f"{euros(approval.amount)} — "
                   f"{date_format(timezone.localtime(approval.requested_at), 'j F Y')}",
        ))
    invoiced = Invoice.objects.filter(company=company).values("order_id")
    orders = Order.objects.filter(pk__in=invoiced)
    if leads:
        from shop.deposits.selectors import company_deposit_order_ids

        by_card = OrderPayment.objects.filter(method=PaymentMethod.CARD).values("order_id")
        orders = Order.objects.filter(
            Q(pk__in=invoiced)
            | (Q(pk__in=company_deposit_order_ids(company.pk)) & Q(pk__in=by_card))
        )
    else:
        orders = orders.filter(user=user)
    for order in orders.select_related("user").order_by("-date_placed")[:ROWS]:
        mine = order.user_id == user.pk
        rows.append(PanelRow(
            label=f"Commande n° {order.number}",
            url=reverse("customer:order", kwargs={"order_number": order.number}) if mine
            else "",
            status=order.status.lower(),
            detail=f"{euros(order.total_incl_tax)} — "
                   f"{date_format(timezone.localtime(order.date_placed), 'j F Y')}",
        ))
    return CompanyPanel(
        key="shop-orders", title="Commandes", rows=rows,
        empty="Aucune commande pour l'entreprise.",
        link_url=reverse("catalogue:index"), link_label="Commander sur la boutique",
        spent_this_year=spent_this_year(company) if leads else None,
    )


def invoices_panel(company: Company, user: User) -> CompanyPanel | None:
    membership = _membership(company, user)
    if membership is None:
        return None
    today = timezone.localdate()
    rows = []
    for invoice in _company_invoices(company, user, membership.leads).order_by("-number")[:ROWS]:
        status = invoice_status(invoice, today)
        rows.append(PanelRow(
            label=f"Facture {invoice.number}",
            status=status,
            detail=f"{euros(invoice.order.total_incl_tax)} — échéance "
                   f"{date_format(invoice.due_on, 'j F Y')}",
            file_url=reverse("payments:invoice", args=[invoice.order.number]),
            file_label="PDF",
        ))
    return CompanyPanel(key="shop-invoices", title="Factures", rows=rows,
                        empty="Aucune facture.")


def credit_notes_panel(company: Company, user: User) -> CompanyPanel | None:
    membership = _membership(company, user)
    if membership is None:
        return None
    invoices = _company_invoices(company, user, membership.leads)
    notes = CreditNote.objects.filter(invoice__in=invoices).select_related("invoice")
    rows = [
        PanelRow(
            label=f"Avoir {note.number}",
            status=f"facture {note.invoice.number}",
            detail=f"{euros(note.amount)} — {date_format(note.issued_on, 'j F Y')}",
            file_url=reverse("payments:credit-note", args=[note.pk]),
            file_label="PDF",
        )
        for note in notes.order_by("-number")[:ROWS]
    ]
    return CompanyPanel(key="shop-credit-notes", title="Avoirs", rows=rows,
                        empty="Aucun avoir.")


def register() -> None:
    from booker.teams.panels import register_company_panel

    for source in (orders_panel, invoices_panel, credit_notes_panel):
        register_company_panel(source)

