"""The client's address, as the deployment says it can be known; the answer when the file
storage is out of reach."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

log = logging.getLogger(__name__)


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


class StorageUnavailableMiddleware:
    """Any page or API that reaches the file storage (S3) while it is down or hangs answers
    503 with a French message, within the storage's timeouts (AWS_S3_*_TIMEOUT), instead of
    a 500 traceback page: the views that expect it raise booker.storage.StorageUnavailable,
    and an S3 error nobody expected is caught here the same way. Retry-After: S3 outages are
    minutes long, and a browser or a script may come back by itself."""

    RETRY_AFTER = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from booker.storage import STORAGE_UNAVAILABLE, is_unavailable

        if not is_unavailable(exception):
            return None
        log.warning("file storage unavailable on %s: %r", request.path, exception)
        message = str(STORAGE_UNAVAILABLE)
        if "application/json" in request.headers.get("Accept", "") or (
            request.content_type == "application/json"
        ):
            response: HttpResponse = JsonResponse({"status": "error", "error": message},
                                                  status=503)
        else:
            response = render(request, "booker/storage_unavailable.html",
                              {"title": gettext("Files unavailable"), "message": message},
                              status=503)
        response["Retry-After"] = str(self.RETRY_AFTER)
        return response
