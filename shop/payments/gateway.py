"""The one place that talks to Stripe, through the `stripe` library's StripeClient.

Tests point STRIPE_API_BASE at a local fake server: the library's real HTTP calls are what is
tested, never a monkeypatched function."""

from __future__ import annotations

import json
import time
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


# How far a webhook's signed timestamp may be from our clock, either way (Stripe's library
# checks only the past: a timestamp in the future would make a captured delivery replayable
# until then).
WEBHOOK_TOLERANCE_SECONDS = stripe.Webhook.DEFAULT_TOLERANCE


def _signed_at(signature: str) -> int:
    for item in signature.split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            return int(value)
    raise stripe.SignatureVerificationError("No timestamp in the signature", signature)


def construct_event(payload: bytes, signature: str) -> dict[str, Any]:
    """The event of a webhook delivery, as a plain dict, once its signature and timestamp are
    checked (5 minutes' tolerance, in the past as in the future). Raises
    stripe.SignatureVerificationError for a bad signature or timestamp, ValueError for a
    payload that is not a JSON object."""
    stripe.WebhookSignature.verify_header(
        payload, signature, settings.STRIPE_WEBHOOK_SECRET, WEBHOOK_TOLERANCE_SECONDS
    )
    if _signed_at(signature) > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise stripe.SignatureVerificationError("Timestamp in the future", signature)
    event = json.loads(payload)
    if not isinstance(event, dict):
        raise ValueError("The payload is not a JSON object")
    return event
