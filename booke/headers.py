"""Security headers of every response: Content-Security-Policy (django-csp) and
Permissions-Policy. The policies themselves are settings (the "Security headers" block of
booke/settings/base.py); this module adds what depends on other settings at request time and
the Permissions-Policy header Django has no setting for. See docs/architecture.md, "Headers"."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase


def storage_origins() -> list[str]:
    """The origins the browser talks to when files are on S3: the studio page PUTs rush parts
    to the bucket, and the portal's file views redirect images to presigned GETs there.

    Read from the AWS_* settings at each response (not frozen at start-up), so that the policy
    follows the storage in use, tests that switch to moto's S3 included. Empty on the local
    disk: everything is then served by the site itself ('self')."""
    if not settings.AWS_STORAGE_BUCKET_NAME:
        return []
    buckets = dict.fromkeys(
        b for b in (settings.AWS_STORAGE_BUCKET_NAME, settings.AWS_PRIVATE_BUCKET_NAME) if b
    )
    endpoint = settings.AWS_S3_ENDPOINT_URL
    if endpoint:
        parts = urlsplit(endpoint)
        scheme, hosts = parts.scheme or "https", [parts.netloc]
    else:
        # botocore signs for the regional host, or the global one (us-east-1, old buckets).
        scheme = "https"
        hosts = [f"s3.{settings.AWS_S3_REGION_NAME}.amazonaws.com", "s3.amazonaws.com"]
    origins: list[str] = []
    for host in hosts:
        # Path style (MinIO, Garage; botocore too for a bucket name with dots over https)
        # puts the bucket in the path: the endpoint's own host.
        if settings.AWS_S3_ADDRESSING_STYLE == "path" or any("." in b for b in buckets):
            origins.append(f"{scheme}://{host}")
        if settings.AWS_S3_ADDRESSING_STYLE != "path":
            origins.extend(f"{scheme}://{bucket}.{host}" for bucket in buckets if "." not in bucket)
    return list(dict.fromkeys(origins))


def media_origins() -> list[str]:
    """Where public media (Wagtail and product images) are read from: the CDN named by
    AWS_S3_CUSTOM_DOMAIN, or the bucket itself."""
    origins = storage_origins()
    if settings.AWS_STORAGE_BUCKET_NAME and settings.AWS_S3_CUSTOM_DOMAIN:
        origins.append(f"https://{settings.AWS_S3_CUSTOM_DOMAIN}")
    return origins


def checkout_origins() -> list[str]:
    """Stripe Checkout is a redirect answering the checkout's form: form-action covers the
    redirects of a form's submission, so Stripe's page must be listed (only when card payment
    is on). No Stripe script runs on our pages."""
    if not settings.STRIPE_SECRET_KEY:
        return []
    return [settings.STRIPE_CHECKOUT_ORIGIN]


class BookeCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the storage's and Stripe's origins added to the policy
    of the settings (CONTENT_SECURITY_POLICY and its report-only twin alike).

    Placed before the page cache in MIDDLEWARE: a cached page gets the header of the moment,
    made for its own response, and a page whose rendering used a nonce is never stored
    (editorial/pagecache/middleware.py), so no nonce is ever served twice."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path_info.startswith(settings.CSP_CMS_PREFIX):
            # Wagtail's admin: its one exception (CSP_CMS_REPLACE in the settings).
            parts.replace = {**settings.CSP_CMS_REPLACE, **(parts.replace or {})}
        files, media, checkout = storage_origins(), media_origins(), checkout_origins()
        if files or media or checkout:
            extra = {"connect-src": files, "img-src": media, "form-action": checkout}
            update = dict(parts.update or {})
            for directive, origins in extra.items():
                if origins:
                    update[directive] = [*update.get(directive, ()), *origins]
            parts.update = update
        return parts


class PermissionsPolicyMiddleware:
    """Permissions-Policy on every response, from settings.PERMISSIONS_POLICY
    ({feature: [allowlist]}; an empty list is `()`, the feature off for everyone)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response


def permissions_policy(policy: dict[str, list[str]]) -> str:
    """The header's value: `camera=(), payment=(self)`, in the structured-field syntax."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())
