"""The CRM's reads: where an address stands with the newsletter."""

from __future__ import annotations

from booker.models import MarketingConsent, normalise_email


def newsletter_status(email: str) -> str:
    """The address's live newsletter consent: "confirmed", "pending" or "" (none)."""
    live = (MarketingConsent.objects
            .filter(email=normalise_email(email), purpose=MarketingConsent.Purpose.NEWSLETTER)
            .exclude(status=MarketingConsent.Status.WITHDRAWN)
            .order_by("-requested_at", "-pk").first())
    return live.status if live is not None else ""
