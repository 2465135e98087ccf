"""The invoice download (customers, company managers, the shop) and the dashboard's payment
actions on an order (record a payment, accept a payment that differed from the total,
refund a card payment). Thin: services do the work."""

from __future__ import annotations

from django import http
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from . import invoice_pdf, selectors, services
from .models import Invoice

Order = get_model("order", "Order")


@login_required
def invoice_download(request, order_number: str) -> http.HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("order"), order__number=order_number)
    if not selectors.may_read_invoice(request.user, invoice):
        # Same answer as a missing invoice: no hint that this order exists.
        raise http.Http404
    response = http.HttpResponse(invoice_pdf.render(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


def _dashboard_order(request, number: str):
    # The dashboard's own door (shop.dashboard.permissions): staff with the shop's role.
    if not (request.user.is_staff and request.user.has_perm("partner.dashboard_access")):
        raise http.Http404
    return get_object_or_404(Order, number=number)


@login_required
@require_POST
def record_payment(request, number: str) -> http.HttpResponse:
    order = _dashboard_order(request, number)
    try:
        done = services.record_payment(order, reference=request.POST.get("reference", "").strip())
    except services.PaymentError as error:
        messages.error(request, str(error))
    else:
        if done:
            messages.success(request, _("Paiement enregistré : la commande est payée."))
        else:
            messages.warning(request, _("Cette commande n'attendait pas de paiement."))
    return redirect("dashboard:order-detail", number=order.number)


@login_required
@require_POST
def refund(request, number: str) -> http.HttpResponse:
    order = _dashboard_order(request, number)
    try:
        services.refund_order(order, services.parse_amount(request.POST.get("amount", "")))
    except services.PaymentError as error:
        # Refused input: said on a page of its own, with a 400, not hidden in a redirect.
        return _refused(request, order, str(error))
    messages.success(request, _("Remboursement effectué par Stripe et enregistré."))
    return redirect("dashboard:order-detail", number=order.number)


@login_required
@require_POST
def accept_payment(request, number: str) -> http.HttpResponse:
    order = _dashboard_order(request, number)
    if services.accept_payment(order, actor=request.user):
        messages.success(request, _("Payment accepted: the order is paid."))
    else:
        messages.warning(request, _("This order had no payment to check."))
    return redirect("dashboard:order-detail", number=order.number)


def _refused(request, order, message: str) -> http.HttpResponse:
    return render(
        request,
        "shop/payments/dashboard_refused.html",
        {"order": order, "message": message},
        status=400,
    )
