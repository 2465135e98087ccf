"""The site's emails, built one way: a subject, a text body and an HTML body rendered from
`<base>_subject.txt`, `<base>.txt` and `<base>.html`, and links made absolute from one setting
(`SITE_URL`, which the site's canonical links, feeds and sitemaps use too). The Booker, the
shop and the site call these."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string


def site_url() -> str:
    """The site's public address (`SITE_URL`), without a trailing slash."""
    return settings.SITE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """`path` on the site's public address. Every absolute URL the site writes comes from here,
    not from the request: emails have none, and a page fetched on another host (an internal
    address, a proxy's) must still name the public one. A URL that is already absolute (a file
    served from S3) is returned as it is."""
    if path.startswith(("http://", "https://", "//")):
        return path
    return site_url() + path


# The header a returned email's copy (inside a delivery status notification) is matched by
# (booker.bounces): `msg-<id>` for an automation message, `campaign-<id>-send-<id>` for a
# campaign email.
REF_HEADER = "X-Booke-Ref"


def returned_to_bounce_address(message: EmailMessage, ref: str = "") -> EmailMessage:
    """`message` with its bounces sent to BOOKE_BOUNCE_ADDRESS (empty: left as it is).

    Django's SMTP backend gives `from_email` as the envelope sender (MAIL FROM, which the
    receiving server writes as Return-Path and sends the bounce to) and writes the From header
    from `headers["From"]` when there is one: the reader still sees the studio's address, while
    the relay's late bounces reach the mailbox that booker.bounces reads."""
    bounce_address = getattr(settings, "BOOKE_BOUNCE_ADDRESS", "")
    if not bounce_address:
        return message
    message.extra_headers.setdefault("From", message.from_email)
    message.from_email = bounce_address
    if ref:
        message.extra_headers[REF_HEADER] = ref
    return message


def templated_email(
    base: str, context: dict, to: Sequence[str], *, headers: dict | None = None
) -> EmailMultiAlternatives:
    """The message of templates `base` (text and HTML) to `to`; the caller sends it."""
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject, render_to_string(f"{base}.txt", context), to=list(to), headers=headers
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return returned_to_bounce_address(message)
