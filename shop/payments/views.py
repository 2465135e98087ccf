"""The invoice and credit-note downloads (customers, company managers, the shop), a company's
order waiting for approval (its approvers decide, the member who asked follows it) and the
dashboard's payment actions on an order (record a payment, accept a payment that differed
from the total, refund a card payment). Thin: services do the work."""

from __future__ import annotations

from django import http
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import View
from oscar.core.loading import get_model

from . import invoice_pdf, selectors, services
from .models import CreditNote, Invoice, OrderApproval

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


@method_decorator(login_required, name="dispatch")
class CreditNoteDownloadView(View):
    """A credit note's PDF, for who may read the invoice it cancels."""

    model = CreditNote
    http_method_names = ["get"]

    def get(self, request, pk: int) -> http.HttpResponse:
        note = get_object_or_404(
            CreditNote.objects.select_related("invoice__order"), pk=pk
        )
        if not selectors.may_read_credit_note(request.user, note):
            raise http.Http404
        response = http.HttpResponse(invoice_pdf.render_credit_note(note),
                                     content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{note.number}.pdf"'
        return response


@method_decorator(login_required, name="dispatch")
class ApprovalView(View):
    """A company's order waiting for approval: its approvers and admins approve it (it is
    placed) or refuse it with a reason; the member who asked sees where it stands. Anyone
    else: a 404, as for an approval that does not exist."""

    model = OrderApproval
    http_method_names = ["get", "post"]

    def _approval(self, request, pk: int) -> OrderApproval:
        approval = get_object_or_404(
            OrderApproval.objects.select_related("company", "requester", "order"), pk=pk
        )
        if not selectors.may_see_approval(request.user, approval):
            raise http.Http404
        return approval

    def get(self, request, pk: int) -> http.HttpResponse:
        approval = self._approval(request, pk)
        return render(request, "shop/payments/approval.html", {
            "approval": approval,
            "may_decide": (approval.state == OrderApproval.State.PENDING
                           and selectors.may_decide_approval(request.user, approval)),
            "lines": selectors.approval_lines(approval),
            "may_withdraw": (approval.state == OrderApproval.State.PENDING
                             and approval.requester_id == request.user.pk),
            "address": selectors.approval_address(approval),
        })

    def post(self, request, pk: int) -> http.HttpResponse:
        approval = self._approval(request, pk)
        action = request.POST.get("action")
        if action == "withdraw" and approval.requester_id == request.user.pk:
            try:
                services.withdraw_approval(approval, actor=request.user)
            except services.ApprovalError as error:
                messages.error(request, str(error))
                return redirect("payments:approval", pk=approval.pk)
            messages.info(request, _("Order withdrawn: your basket is back."))
            return redirect("basket:summary")
        if not selectors.may_decide_approval(request.user, approval):
            raise http.Http404
        try:
            if action == "approve":
                order = services.approve_order(approval, actor=request.user)
                messages.success(request, _("Order approved: order %(number)s is placed on "
                                            "invoice.") % {"number": order.number})
            else:
                services.refuse_order(approval, actor=request.user,
                                      reason=request.POST.get("reason", ""))
                messages.info(request, _("Order refused: its basket went back to %(name)s.")
                              % {"name": approval.requester.get_full_name()
                                 or approval.requester.email})
        except services.ApprovalError as error:
            messages.error(request, str(error))
        return redirect("payments:approval", pk=approval.pk)


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
