"""The one place that talks to Stripe, through the `stripe` library's StripeClient.

Tests point STRIPE_API_BASE at a local fake server: the library's real HTTP calls are what is
tested, never a monkeypatched function."""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings


def enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        # Idempotency keys make retries safe; two are enough for a checkout click.
        max_network_retries=2,
    )


# The functions below return plain dicts: the library's objects are not dicts any more (no
# .get()), and the services should not depend on the library's classes.


def create_checkout_session(params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    return (
        client()
        .v1.checkout.sessions.create(params=params, options={"idempotency_key": idempotency_key})
        .to_dict()
    )


def retrieve_checkout_session(session_id: str) -> dict[str, Any]:
    return client().v1.checkout.sessions.retrieve(session_id).to_dict()


def expire_checkout_session(session_id: str) -> dict[str, Any]:
    return client().v1.checkout.sessions.expire(session_id).to_dict()


def create_refund(payment_intent: str, amount_cents: int, idempotency_key: str) -> dict[str, Any]:
    return (
        client()
        .v1.refunds.create(
            params={"payment_intent": payment_intent, "amount": amount_cents},
            options={"idempotency_key": idempotency_key},
        )
        .to_dict()
    )


def construct_event(payload: bytes, signature: str) -> dict[str, Any]:
    """Checks the signature and its timestamp (5 minutes' tolerance, the library's default);
    raises stripe.SignatureVerificationError or ValueError on a bad or malformed payload."""
    event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    return event.to_dict()
