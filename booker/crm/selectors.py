"""The CRM's reads: where an address stands with the newsletter, whose contact a session is."""

from __future__ import annotations

from booker.models import Contact, MarketingConsent, PhotoSession, normalise_email


def newsletter_status(email: str) -> str:
    """The address's live newsletter consent: "confirmed", "pending" or "" (none)."""
    live = (MarketingConsent.objects
            .filter(email=normalise_email(email), purpose=MarketingConsent.Purpose.NEWSLETTER)
            .exclude(status=MarketingConsent.Status.WITHDRAWN)
            .order_by("-requested_at", "-pk").first())
    return live.status if live is not None else ""


def session_contact(session: PhotoSession) -> Contact | None:
    """The contact whose session it is (its company's, else its client's), if the CRM has one."""
    if session.company_id:
        return Contact.objects.filter(company_id=session.company_id).first()
    if session.client_id:
        return Contact.objects.filter(user_id=session.client_id).first()
    return None


def consents_of(contact: Contact) -> list[MarketingConsent]:
    """The marketing consents given from the contact's address, newest first."""
    if not contact.email:
        return []
    return list(MarketingConsent.objects.filter(email=normalise_email(contact.email))
                .order_by("-requested_at", "-pk"))

