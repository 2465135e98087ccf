"""The pages' absolute URLs on the site's public address, `SITE_URL`, as every other absolute URL
the site writes (booker.mail.absolute_url).

Wagtail builds a page's full URL from its Site's `root_url` (hostname and port typed in the
admin: `http://localhost` out of the box, and no way to say https on another port), while the
emails, the shop and robots.txt use SITE_URL. Pages of the default site (or of the only one)
take SITE_URL instead, through `get_url_parts`, the method Wagtail documents for pages that make
their own URLs: their canonical links, feeds, sitemap, JSON-LD and CDN purges all follow. A page
of another Site keeps that site's own address, and routing (which Site serves a request) does not
change."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from wagtail.models import Site

from booker.mail import site_url

# Where the default site's id is kept for a request (or a page, outside one).
DEFAULT_SITE_ATTR = "_editorial_default_site_id"


def site_address() -> tuple[str, int]:
    """The hostname and port of a Wagtail Site at SITE_URL, whose `root_url` gives SITE_URL back
    (http on any port, https on 443), for the default site the demo seed sets up."""
    url = urlsplit(site_url())
    return url.hostname or "localhost", url.port or (443 if url.scheme == "https" else 80)


class PublicUrlMixin:
    """For every page model of the site: put it first in the bases, before `Page`."""

    def get_url_parts(self, request: HttpRequest | None = None):
        parts = super().get_url_parts(request)
        if parts is None or parts[1] is None:
            return parts
        site_id, root_url, page_path = parts
        if _is_public_site(self, site_id, request):
            return site_id, site_url(), page_path
        return parts


def _is_public_site(page, site_id: int, request: HttpRequest | None) -> bool:
    # The root paths are already fetched and kept by get_url_parts: one site (the usual case)
    # costs no query; with several, the default one is looked up once per request.
    root_paths = page._get_site_root_paths(request)
    if len({root_path.site_id for root_path in root_paths}) <= 1:
        return True
    holder = request if request is not None else page
    try:
        default_id = getattr(holder, DEFAULT_SITE_ATTR)
    except AttributeError:
        default_id = (
            Site.objects.filter(is_default_site=True).values_list("pk", flat=True).first()
        )
        setattr(holder, DEFAULT_SITE_ATTR, default_id)
    return site_id == default_id
