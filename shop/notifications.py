"""The shop's emails, through the Booker's automation engine: the shop emits its events
(`order_event`, `basket_event`) and describes their subjects ("order:<pk>", "basket:<pk>") to the
engine, which picks the rules, renders the templates the studio edits and sends them.

`register()` (called by PaymentsConfig.ready()) hands the engine the two subject providers and
declares the shop's default templates (shop/default_templates/) and rules. Providers give plain
values only, read afresh when each message is sent: an email states the order as it is then."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_class, get_model

from booker import services as booker
from booker.automation.context import Recipient, Subject, declare_variables, euros
from booker.automation.defaults import DefaultRule, DefaultTemplate, declare
from booker.events import Event, Happened
from booker.mail import absolute_url
from shop.shipping.selectors import tracking_url

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")
Applicator = get_class("offer.applicator", "Applicator")

ORDER, BASKET, APPROVAL = "order", "basket", "approval"
TEMPLATES = Path(__file__).resolve().parent / "default_templates"


def order_subject(order) -> str:
    return f"{ORDER}:{order.pk}"


def basket_subject(basket) -> str:
    return f"{BASKET}:{basket.pk}"


def approval_subject(approval) -> str:
    return f"{APPROVAL}:{approval.pk}"


def order_event(event: Event, order, *, actor: Any = None, **payload: Any):
    """Tells the engine that `event` happened to `order` (its rules send the emails after the
    commit; an order rolled back announces nothing). An order invoiced to a company names it
    (`company`): the company's activity log lists the events whose payload has one."""
    if "company" not in payload:
        invoice = _invoice_of(order)
        if invoice is not None and invoice.company_id:
            payload["company"] = invoice.company_id
    return booker.emit_event(
        event, subject=order_subject(order), user=order.user if order.user_id else None,
        actor=actor, number=str(order.number), total=str(order.total_incl_tax), **payload,
    )


def basket_event(event: Event, basket, *, lines: int, total: Decimal | None):
    return booker.emit_event(
        event, subject=basket_subject(basket), user=basket.owner, lines=lines,
        total=str(total) if total is not None else "",
    )


# --- The "order" subject -----------------------------------------------------------------------


def order_url(order) -> str:
    """The customer's page of the order (a guest's is reached through its verification hash)."""
    if order.user_id:
        return absolute_url(reverse("customer:order", kwargs={"order_number": order.number}))
    return absolute_url(
        reverse(
            "customer:anon-order",
            kwargs={"order_number": order.number, "hash": order.verification_hash()},
        )
    )


def order_lines(order) -> list[dict[str, Any]]:
    # Each line in words (its photo, its session), never its raw options. Prices before
    # discounts: the discount has a line of its own, so what the email lists adds up to the
    # total.
    return [
        {"title": line.description, "quantity": line.quantity,
         "price": euros(line.line_price_before_discounts_incl_tax),
         "thumbnail": line_thumbnail(line)}
        for line in order.lines.prefetch_related("attributes__option")
    ]


def line_thumbnail(line) -> str:
    """The absolute address of the small copy of the photo a print line names, for an email,
    when anyone may load it: a photo of a gallery still public. A client's own photo has
    none: its thumbnail is only served through a link signed for minutes to the person the
    page checked, and an email outlives the link and travels (forwarded, read on another
    device); the line's words say which photo it is instead."""
    from shop.personal import pictures, selectors

    ref = selectors.line_options(line).get(selectors.IMAGE)
    picture = pictures.picture(str(ref), public_only=True) if ref else None
    return absolute_url(picture.thumb_url) if picture is not None and picture.thumb_url else ""


def _invoice_of(order):
    from shop.payments.models import Invoice

    return Invoice.objects.select_related("company").filter(order=order).first()


def _still_relevant(order, invoice, happened: Happened) -> bool:
    if happened.event in (Event.INVOICE_DUE, Event.INVOICE_OVERDUE):
        # Paid (or cancelled) before the reminder went out: nothing is owed any more.
        return (invoice is not None and invoice.paid_on is None
                and order.status != settings.ORDER_CANCELLED)
    if happened.event == Event.ORDER_PLACED:
        return order.status != settings.ORDER_CANCELLED
    return True


def _credit_note_variables(happened: Happened) -> dict[str, Any]:
    """The credit note an ORDER_CREDIT_NOTE_ISSUED event names (empty for other events)."""
    from shop.payments.models import CreditNote

    number = str(happened.payload.get("credit_note") or "")
    note = CreditNote.objects.filter(number=number).first() if number else None
    if note is None:
        return {"credit_note_number": "", "credit_note_amount": "", "credit_note_reason": "",
                "credit_note_url": ""}
    return {
        "credit_note_number": note.number,
        "credit_note_amount": euros(note.amount),
        "credit_note_reason": note.reason,
        "credit_note_url": absolute_url(reverse("payments:credit-note", args=[note.pk])),
    }


def describe_order(subject_id: str, happened: Happened) -> Subject | None:
    from shop.payments.models import PaymentMethod
    from shop.payments.selectors import amount_owed, payment_method_of

    order = (Order._default_manager.select_related("user", "shipping_address")
             .filter(pk=subject_id).first() if subject_id.isdigit() else None)
    if order is None:
        return None
    invoice = _invoice_of(order)
    company = invoice.company if invoice is not None else None
    method = payment_method_of(order) or ""
    lines = order_lines(order)
    discount = (order.basket_total_before_discounts_incl_tax - order.basket_total_incl_tax)
    address = order.shipping_address
    awaiting = order.status == settings.ORDER_AWAITING_PAYMENT
    # The page and the email say the same: what is owed, to whom, with which reference.
    owed = amount_owed(order)
    customer = order.user
    variables: dict[str, Any] = {
        "order_number": order.number,
        "order_total": euros(order.total_incl_tax),
        "order_shipping": euros(order.shipping_incl_tax),
        "order_discount": euros(discount) if discount > 0 else "",
        "order_surcharges": [
            {"name": s.name, "price": euros(s.incl_tax)} for s in order.surcharges.all()
        ],
        "order_lines": lines,
        "order_url": order_url(order),
        "dashboard_order_url": absolute_url(
            reverse("dashboard:order-detail", kwargs={"number": order.number})),
        "customer_name": (customer.get_full_name() if customer else "") or order.email,
        "customer_email": order.email,
        "awaiting_payment": awaiting,
        "payment_method": str(PaymentMethod(method).label) if method else "",
        "payment_reference": owed.reference,
        "studio_iban": owed.iban,
        "studio_bic": owed.bic,
        "payment_beneficiary": owed.beneficiary,
        "amount_owed": euros(owed.amount) if owed.owed else "",
        "invoice_number": invoice.number if invoice else "",
        "invoice_due_on": date_format(invoice.due_on, "j F Y") if invoice else "",
        "invoice_po_number": invoice.po_number if invoice else "",
        "invoice_paid": bool(invoice and invoice.paid_on),
        "invoice_url": absolute_url(reverse("payments:invoice", args=[order.number]))
        if invoice else "",
        "tracking_number": order.tracking_number,
        "tracking_url": tracking_url(order.tracking_number)
        or happened.payload.get("tracking_url", ""),
        "shipping_method": order.shipping_method,
        **_credit_note_variables(happened),
        "shipping_address": address.active_address_fields() if address else [],
    }
    client = []
    if order.email:
        name = (customer.first_name or customer.get_full_name()) if customer else ""
        client = [Recipient(order.email, name, order.user_id)]
    billing = ([Recipient(company.billing_email, company.name)]
               if company is not None and company.billing_email else [])
    return Subject(
        variables=variables, client=client, billing=billing,
        company_name=company.name if company else "", amount=order.total_incl_tax,
        still_relevant=_still_relevant(order, invoice, happened),
    )


# --- The "basket" subject ----------------------------------------------------------------------


def priced(basket):
    """`basket` with its owner's prices and offers, as the basket page shows it."""
    user = basket.owner or AnonymousUser()
    basket.strategy = Selector().strategy(user=user)
    Applicator().apply(basket, user, request=None)
    return basket


def describe_basket(subject_id: str, happened: Happened) -> Subject | None:
    basket = (Basket._default_manager.select_related("owner").filter(pk=subject_id).first()
              if subject_id.isdigit() else None)
    if basket is None or basket.owner is None:
        return None
    basket = priced(basket)
    lines = [
        {"title": line.product.get_title() if line.product else "", "quantity": line.quantity,
         "price": euros(line.line_price_incl_tax_incl_discounts)}
        for line in basket.all_lines()
    ]
    owner = basket.owner
    return Subject(
        variables={
            "basket_url": absolute_url(reverse("basket:summary")),
            "basket_lines": lines,
            "basket_total": euros(basket.total_incl_tax) if lines else "",
        },
        client=[Recipient(owner.email, owner.first_name or owner.get_full_name(), owner.pk)]
        if owner.is_active and owner.email else [],
        amount=basket.total_incl_tax if lines else None,
        # Ordered, merged or emptied meanwhile: nothing is left waiting.
        still_relevant=basket.status == Basket.OPEN and bool(lines),
    )


# --- The "approval" subject (a company's order waiting for an approver) ---------------------


def describe_approval(subject_id: str, happened: Happened) -> Subject | None:
    """The request goes to the company's approvers and admins but the one who ordered ("the
    client" of its rule); the decision to the member who asked."""
    from shop.payments.models import OrderApproval
    from shop.payments.selectors import approvers_of

    approval = (OrderApproval.objects.select_related("company", "requester", "order")
                .filter(pk=subject_id).first() if subject_id.isdigit() else None)
    if approval is None:
        return None
    requester = approval.requester
    if happened.event == Event.ORDER_APPROVAL_REQUESTED:
        leads = approvers_of(approval.company_id, besides=requester)
        client = [Recipient(m.user.email, m.user.first_name or m.user.get_full_name(),
                            m.user_id) for m in leads if m.user.email]
        relevant = approval.state == OrderApproval.State.PENDING
    else:
        client = ([Recipient(requester.email, requester.first_name
                             or requester.get_full_name(), requester.pk)]
                  if requester.is_active and requester.email else [])
        relevant = True
    order = approval.order
    return Subject(
        variables={
            "approval_url": absolute_url(reverse("payments:approval", args=[approval.pk])),
            "approval_total": euros(approval.amount),
            "approval_po_number": approval.po_number,
            "approval_requester": requester.get_full_name() or requester.email,
            "approval_reason": approval.reason,
            "order_number": order.number if order else approval.order_number,
            "order_url": order_url(order) if order else "",
        },
        client=client,
        company_name=approval.company.name,
        amount=approval.amount,
        still_relevant=relevant,
    )


# --- Defaults ----------------------------------------------------------------------------------

CLIENT, BILLING, SHOP_MANAGERS = "client", "billing", "shop_managers"

DEFAULT_TEMPLATES = (
    DefaultTemplate("order-confirmation", "Commande enregistrée", folder=TEMPLATES),
    DefaultTemplate("order-payment-received", "Paiement reçu", folder=TEMPLATES),
    DefaultTemplate("order-shipped", "Commande expédiée", folder=TEMPLATES),
    DefaultTemplate("order-new", "Nouvelle commande (boutique)", folder=TEMPLATES),
    DefaultTemplate("invoice-due", "Facture bientôt à échéance", folder=TEMPLATES),
    DefaultTemplate("invoice-overdue", "Facture en retard", folder=TEMPLATES),
    DefaultTemplate("basket-abandoned", "Panier en attente", kind="marketing", folder=TEMPLATES),
    DefaultTemplate("credit-note-issued", "Avoir émis", folder=TEMPLATES),
    DefaultTemplate("order-approval-requested", "Commande à approuver", folder=TEMPLATES),
    DefaultTemplate("order-approved", "Commande approuvée", folder=TEMPLATES),
    DefaultTemplate("order-approval-refused", "Commande refusée", folder=TEMPLATES),
)

DEFAULT_RULES = (
    # The accounts department of an order on invoice hears of it as it always has.
    DefaultRule("order-confirmation", "Confirmation de commande", Event.ORDER_PLACED,
                (CLIENT, BILLING), "order-confirmation"),
    DefaultRule("order-payment-received", "Paiement reçu", Event.ORDER_PAID, (CLIENT, BILLING),
                "order-payment-received"),
    DefaultRule("order-shipped", "Commande expédiée", Event.ORDER_SHIPPED, (CLIENT,),
                "order-shipped"),
    DefaultRule("order-new", "Nouvelle commande : à la boutique", Event.ORDER_PLACED,
                (SHOP_MANAGERS,), "order-new"),
    DefaultRule("invoice-due", "Facture à régler bientôt", Event.INVOICE_DUE, (CLIENT, BILLING),
                "invoice-due"),
    DefaultRule("invoice-overdue", "Facture en retard", Event.INVOICE_OVERDUE,
                (CLIENT, BILLING), "invoice-overdue"),
    DefaultRule("invoice-overdue-task", "Tâche : relancer une facture en retard",
                Event.INVOICE_OVERDUE, (SHOP_MANAGERS,), action="task",
                task_title="Relancer le client : facture en retard"),
    # The task waits BASKET_IDLE itself: the email goes as soon as it is planned.
    DefaultRule("basket-abandoned", "Panier en attente depuis 24 h", Event.BASKET_ABANDONED,
                (CLIENT,), "basket-abandoned"),
    # A credit note cancels all or part of an invoice: who received the invoice receives it.
    DefaultRule("credit-note-issued", "Avoir émis", Event.CREDIT_NOTE_ISSUED, (CLIENT, BILLING),
                "credit-note-issued"),
    # A company's order above its threshold: its approvers and admins are asked, the member
    # who ordered hears the answer.
    DefaultRule("order-approval-requested", "Commande d'entreprise à approuver",
                Event.ORDER_APPROVAL_REQUESTED, (CLIENT,), "order-approval-requested"),
    DefaultRule("order-approved", "Commande approuvée", Event.ORDER_APPROVED, (CLIENT,),
                "order-approved"),
    DefaultRule("order-approval-refused", "Commande refusée", Event.ORDER_APPROVAL_REFUSED,
                (CLIENT,), "order-approval-refused"),
)


def register() -> None:
    """The engine's view of the shop: its subjects, their variables, its default rules."""
    booker.register_subject(ORDER, describe_order)
    booker.register_subject(BASKET, describe_basket)
    booker.register_subject(APPROVAL, describe_approval)
    declare(*DEFAULT_TEMPLATES, *DEFAULT_RULES)
    declare_variables(
        order_number=gettext_lazy("the order's number (shop)"),
        order_total=gettext_lazy("the order's total, taxes included (“79,20 €”)"),
        order_shipping=gettext_lazy("the order's shipping charge"),
        order_discount=gettext_lazy("the order's discount, if any"),
        order_surcharges=gettext_lazy("the order's surcharges: a list of {name, price}"),
        order_lines=gettext_lazy(
            "the order's lines: a list of {title, quantity, price, thumbnail} (thumbnail: the "
            "photo's small copy, for prints of public gallery photos only)"),
        order_url=gettext_lazy("the order's page for the customer (absolute link)"),
        dashboard_order_url=gettext_lazy("the order's page in the shop's dashboard (staff)"),
        customer_name=gettext_lazy("the customer's name (or email) of the order"),
        customer_email=gettext_lazy("the customer's email address of the order"),
        awaiting_payment=gettext_lazy("true while the order waits for its payment"),
        payment_method=gettext_lazy("how the order is paid (card, at the studio, on invoice)"),
        payment_reference=gettext_lazy("the reference to give with a bank transfer"),
        studio_iban=gettext_lazy("the studio's IBAN, for an order paid by transfer"),
        studio_bic=gettext_lazy("the studio's BIC, for an order paid by transfer"),
        payment_beneficiary=gettext_lazy("who a transfer is made out to (the studio)"),
        amount_owed=gettext_lazy("what is left to pay on the order (empty when nothing)"),
        invoice_number=gettext_lazy("the invoice's number (orders on invoice)"),
        invoice_due_on=gettext_lazy("the invoice's due date"),
        invoice_po_number=gettext_lazy("the customer's purchase order number"),
        invoice_paid=gettext_lazy("true once the invoice is paid"),
        invoice_url=gettext_lazy("where to download the invoice (absolute link)"),
        tracking_number=gettext_lazy("the parcel's tracking number, once shipped"),
        tracking_url=gettext_lazy("the parcel's tracking link at the carrier, when known"),
        shipping_method=gettext_lazy("how the order is delivered (pickup, post…)"),
        shipping_address=gettext_lazy("the shipping address: a list of lines"),
        basket_url=gettext_lazy("the customer's basket (absolute link)"),
        basket_lines=gettext_lazy("the basket's lines: a list of {title, quantity, price}"),
        basket_total=gettext_lazy("the basket's total, taxes included"),
        credit_note_number=gettext_lazy("the credit note's number (AV-…)"),
        credit_note_amount=gettext_lazy("the credit note's amount, taxes included"),
        credit_note_reason=gettext_lazy("why the credit note was issued"),
        credit_note_url=gettext_lazy("where to download the credit note (absolute link)"),
        approval_url=gettext_lazy("the page where an approver approves or refuses the order"),
        approval_total=gettext_lazy("the total of the order waiting for approval"),
        approval_po_number=gettext_lazy("its purchase order number"),
        approval_requester=gettext_lazy("who ordered (the company's member)"),
        approval_reason=gettext_lazy("why the approver refused the order"),
    )
