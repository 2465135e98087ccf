"""The site's emails, built one way: a subject, a text body and an HTML body rendered from
`<base>_subject.txt`, `<base>.txt` and `<base>.html`, and links made absolute from one setting
(`SITE_URL`, read as `WAGTAILADMIN_BASE_URL`). The Booker, the shop and the site call these."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    """`path` on the site's public address (emails have no request to build it from)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def templated_email(
    base: str, context: dict, to: Sequence[str], *, headers: dict | None = None
) -> EmailMultiAlternatives:
    """The message of templates `base` (text and HTML) to `to`; the caller sends it."""
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject, render_to_string(f"{base}.txt", context), to=list(to), headers=headers
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return message
