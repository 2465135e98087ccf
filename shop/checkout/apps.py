import oscar.apps.checkout.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CheckoutConfig(apps.CheckoutConfig):
    """Oscar's checkout, plus pickup at the studio chosen before any address, and Stripe's
    return, cancel and webhook URLs."""

    name = "shop.checkout"

    def ready(self):
        super().ready()
        self.stripe_return_view = get_class("checkout.views", "StripeReturnView")
        self.stripe_cancel_view = get_class("checkout.views", "StripeCancelView")
        self.stripe_webhook_view = get_class("checkout.views", "StripeWebhookView")
        self.pickup_view = get_class("checkout.views", "PickupView")

    def get_urls(self):
        urls = [
            path("retrait/", self.pickup_view.as_view(), name="pickup"),
            path("stripe/retour/", self.stripe_return_view.as_view(), name="stripe-return"),
            path("stripe/annulation/", self.stripe_cancel_view.as_view(), name="stripe-cancel"),
            path("stripe/webhook/", self.stripe_webhook_view.as_view(), name="stripe-webhook"),
        ]
        return super().get_urls() + self.post_process_urls(urls)

    def get_url_decorator(self, pattern):
        # Stripe calls the webhook without a session: never behind a login, whatever
        # OSCAR_ALLOW_ANON_CHECKOUT says.
        if pattern.name == "stripe-webhook":
            return None
        return super().get_url_decorator(pattern)
