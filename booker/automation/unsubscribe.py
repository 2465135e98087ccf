"""One-click unsubscribe links (List-Unsubscribe, RFC 8058) for reminders and marketing mail:
a signed token names the person and the kind of mail, so the link needs no login."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from booker.mail import absolute_url

SALT = "booke.unsubscribe"
KINDS = ("reminder", "marketing")


def token_for(email: str, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(kind)
    return signing.dumps({"e": email.lower(), "k": kind}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[str, str] | None:
    """(email, kind) of a valid token, None otherwise (the links do not expire: an old email's
    link must still work)."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in KINDS or not data.get("e"):
        return None
    return data["e"], data["k"]


def unsubscribe_url(email: str, kind: str) -> str:
    return absolute_url(reverse("unsubscribe", args=[token_for(email, kind)]))
