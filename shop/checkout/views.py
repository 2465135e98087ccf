"""Oscar's checkout with the studio's payment methods: card through Stripe Checkout (when keys
are set), at the studio / bank transfer, on invoice. Only the views that change are here;
Oscar's `get_class` finds the others in its own module."""

from __future__ import annotations

import logging
from decimal import Decimal

import stripe
from django import http
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView
from oscar.apps.checkout import exceptions
from oscar.apps.checkout import views as oscar_views
from oscar.core.loading import get_class

from booker.events import Event
from booker.mail import absolute_url
from booker.models import Company
from shop import notifications
from shop.deposits import selectors as deposits
from shop.payments import gateway, selectors, services
from shop.payments.models import PaymentMethod, StripeCheckout
from shop.shipping.methods import StudioPickup

RedirectRequired = get_class("payment.exceptions", "RedirectRequired")
PaymentMethodForm = get_class("checkout.forms", "PaymentMethodForm")
CheckoutSessionMixin = get_class("checkout.session", "CheckoutSessionMixin")
OrderPlacementMixin = get_class("checkout.mixins", "OrderPlacementMixin")

logger = logging.getLogger(__name__)


class PickupView(CheckoutSessionMixin, View):
    """"Pickup at the studio" chosen on the address page, before any address: the order is
    collected, so none is asked (shop/checkout/session.py); straight on to the payment."""

    pre_conditions = [
        "check_basket_is_not_empty",
        "check_basket_is_valid",
        "check_user_email_is_captured",
    ]

    def post(self, request, *args, **kwargs):
        # An address typed before changing one's mind would otherwise go on the order.
        self.checkout_session.reset_shipping_data()
        self.checkout_session.use_shipping_method(StudioPickup.code)
        return redirect("checkout:payment-method")


class PaymentMethodView(CheckoutSessionMixin, FormView):
    """The customer picks how to pay (Oscar's view only redirects: it leaves this to shops)."""

    template_name = "oscar/checkout/payment_method.html"
    form_class = PaymentMethodForm
    pre_conditions = oscar_views.PaymentMethodView.pre_conditions
    skip_conditions = oscar_views.PaymentMethodView.skip_conditions

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs["methods"] = deposits.payment_methods(
            self.request.basket, selectors.payment_methods_for(user)
        )
        kwargs["companies"] = deposits.invoice_companies(
            self.request.basket, selectors.invoice_companies(user)
        )
        kwargs["personal_invoice"] = selectors.approved_for_invoice(user)
        chosen = self.checkout_session.payment_method()
        if chosen:
            po_number, company_id = self.checkout_session.invoice_details()
            kwargs["initial"] = {"method": chosen, "po_number": po_number, "company": company_id}
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.build_submission())
        return ctx

    def form_valid(self, form):
        self.checkout_session.pay_by(form.cleaned_data["method"])
        company = form.cleaned_data.get("company")
        self.checkout_session.set_invoice_details(
            form.cleaned_data.get("po_number", ""), company.pk if company else None
        )
        return redirect("checkout:preview")


class PaymentDetailsView(oscar_views.PaymentDetailsView):
    """No details to type here (card details are typed on Stripe's page): payment-details goes
    to the preview, whose "Place order" either places the order unpaid (studio, invoice) or
    sends the customer to Stripe."""

    def get(self, request, *args, **kwargs):
        if not self.preview:
            return redirect("checkout:preview")
        return super().get(request, *args, **kwargs)

    def check_payment_data_is_captured(self, request):
        if self._total_is_zero():
            return
        method = self.checkout_session.payment_method()
        methods = deposits.payment_methods(
            request.basket, selectors.payment_methods_for(request.user)
        )
        if method not in methods:
            raise exceptions.FailedPreCondition(
                url=reverse("checkout:payment-method"),
                message=_("Choisissez un mode de paiement."),
            )

    def _total_is_zero(self) -> bool:
        submission = self.build_submission()
        total = submission["order_total"]
        return total is not None and total.incl_tax == Decimal("0.00")

    def _method(self) -> str:
        return self.checkout_session.payment_method() or PaymentMethod.STUDIO

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        method = self.checkout_session.payment_method()
        ctx["payment_method_label"] = PaymentMethod(method).label if method else ""
        po_number, company_id = self.checkout_session.invoice_details()
        ctx["po_number"] = po_number
        ctx["invoice_company"] = Company.objects.filter(pk=company_id).first()
        total = ctx.get("order_total")
        ctx["needs_approval"] = bool(
            method == PaymentMethod.INVOICE and total is not None
            and selectors.needs_approval(self.request.user, self._invoice_company(),
                                         total.incl_tax)
        )
        return ctx

    def _invoice_company(self) -> Company | None:
        """The company the customer orders for on invoice, among those they may (never one
        named by the session alone)."""
        _po_number, company_id = self.checkout_session.invoice_details()
        if not company_id:
            return None
        return next(
            (c for c in selectors.invoice_companies(self.request.user) if c.pk == company_id),
            None,
        )

    def handle_payment(self, order_number, total, **kwargs):
        if self._method() == PaymentMethod.INVOICE:
            self._wait_for_approval_if_needed(order_number, total)
        if self._method() != PaymentMethod.CARD or total.incl_tax == 0:
            return  # placed unpaid; the shop records the payment later
        submission = self.build_submission()
        shipping_method = submission["shipping_method"]
        url = services.start_card_checkout(
            order_number=order_number,
            basket=self.request.basket,
            user=self.request.user,
            guest_email=self.checkout_session.get_guest_email() or "",
            shipping_address=submission["shipping_address"],
            billing_address=submission["billing_address"],
            shipping_method_code=shipping_method.code,
            total=total,
            # Stripe sends the customer back to the public address (SITE_URL), where their
            # session cookie is, whatever host this request came on.
            success_url=absolute_url(reverse("checkout:stripe-return"))
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=absolute_url(reverse("checkout:stripe-cancel")),
        )
        raise RedirectRequired(url)

    def _wait_for_approval_if_needed(self, order_number, total) -> None:
        # A member's order on invoice above the company's threshold is not placed: its frozen
        # basket waits for an approver, and the member is shown where it stands.
        company = self._invoice_company()
        if not selectors.needs_approval(self.request.user, company, total.incl_tax):
            return
        submission = self.build_submission()
        po_number, _company_id = self.checkout_session.invoice_details()
        approval = services.request_approval(
            user=self.request.user,
            company=company,
            basket=self.request.basket,
            order_number=order_number,
            po_number=po_number,
            shipping_address=submission["shipping_address"],
            billing_address=submission["billing_address"],
            shipping_method_code=submission["shipping_method"].code,
            total=total,
        )
        self.checkout_session.flush()
        raise RedirectRequired(reverse("payments:approval", args=[approval.pk]))

    def place_order(self, *args, **kwargs):
        # The order, its payment method and its invoice number commit together, or not at all.
        with transaction.atomic():
            order = super().place_order(*args, **kwargs)
            po_number, _company_id = self.checkout_session.invoice_details()
            company = self._invoice_company()
            services.record_payment_method(
                order, self._method(), po_number=po_number, company=company
            )
            if order.total_incl_tax == 0:
                services.mark_order_paid(order, method=self._method(), notify=False)
        return order

    def send_order_placed_email(self, order):
        # Placed unpaid (studio, invoice) or free: the engine's rules confirm it to the customer
        # and tell the shop. Card orders are announced when Stripe's payment places them.
        notifications.order_event(Event.ORDER_PLACED, order, actor=self._actor())

    def _actor(self):
        user = self.request.user
        return user if user.is_authenticated else None


class StripeReturnView(OrderPlacementMixin, View):
    """Stripe sends the customer back here after paying. The order is placed now unless the
    webhook did it first; either way the customer sees their thank-you page."""

    def get(self, request, *args, **kwargs):
        session_id = request.GET.get("session_id", "")
        checkout = StripeCheckout.objects.filter(session_id=session_id).first()
        # Only the browser that started this checkout is shown its order.
        ours = str(self.checkout_session.get_order_number())
        if checkout is None or checkout.order_number != ours:
            return redirect("basket:summary")
        try:
            order = services.place_paid_order(session_id)
        except (stripe.StripeError, services.MalformedEvent) as error:
            logger.warning("Stripe session %s not read on return: %s", session_id, error)
            order = None
        if order is None:
            checkout.refresh_from_db()
            if checkout.state in (StripeCheckout.State.REFUNDED, StripeCheckout.State.HELD):
                # The payment did not pay this basket: the customer gets the basket back.
                self.restore_frozen_basket()
                return render(
                    request, "oscar/checkout/stripe_refunded.html", {"checkout": checkout}
                )
            return render(request, "oscar/checkout/stripe_pending.html", {"checkout": checkout})
        self.checkout_session.flush()
        request.session["checkout_order_id"] = order.id
        return redirect("checkout:thank-you")


class StripeCancelView(OrderPlacementMixin, View):
    """Back from Stripe without paying: the basket can be changed again."""

    def get(self, request, *args, **kwargs):
        # The session is over: expired at Stripe before the basket can change again.
        services.card_checkout_cancelled(self.checkout_session.get_submitted_basket_id())
        self.restore_frozen_basket()
        messages.info(request, _("Paiement annulé : votre panier vous attend."))
        return redirect("checkout:preview")


@method_decorator(csrf_exempt, name="dispatch")
class StripeWebhookView(View):
    """Stripe's events. The only CSRF-exempt view: the signature stands in for the token."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        # Without a webhook secret, nothing can be verified: refuse rather than trust.
        if not settings.STRIPE_WEBHOOK_SECRET or not request.headers.get("Stripe-Signature"):
            return _refused(_("Missing Stripe signature."))
        try:
            event = gateway.construct_event(request.body, request.headers["Stripe-Signature"])
        except stripe.SignatureVerificationError as error:
            logger.warning("Stripe webhook refused: %s", error)
            return _refused(_("Invalid or expired Stripe signature."))
        except (ValueError, RecursionError) as error:
            logger.warning("Stripe webhook refused: %s", error)
            return _refused(_("Unreadable Stripe event."))
        try:
            services.handle_stripe_event(event)
        except services.MalformedEvent as error:
            logger.warning("Stripe webhook refused: %s", error)
            return _refused(str(error))
        return http.HttpResponse(status=200)


def _refused(message: str) -> http.HttpResponse:
    # Read by whoever debugs the endpoint in Stripe's dashboard: plain text.
    return http.HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
