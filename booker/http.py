"""The client's address, as the deployment says it can be known."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person making the request.

    Behind a reverse proxy, REMOTE_ADDR is the proxy's, shared by every visitor: rate limits
    keyed on it would lump everyone together. X-Forwarded-For is trusted only as far as the
    deployment says (TRUSTED_PROXY_COUNT proxies append to it): the entry that many places
    from the right was written by our own first proxy; anything left of it is the client's say.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
