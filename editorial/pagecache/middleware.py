"""PageCacheMiddleware: anonymous pages of the public site and the shop's catalogue from the
cache, and the Cache-Control that tells browsers and a CDN what they may keep.

Placed early in MIDDLEWARE (after the HTTPS redirect and the static files, before sessions):
a hit then costs a cache read and runs none of the inner middleware nor the view.

A request is served from, or stored in, the cache only when all of these hold:
- GET or HEAD, on a public path (not a back office, the basket, checkout or an account);
- it carries no identity: no session cookie (so no logged-in user and no password-passed
  private page), no open-basket cookie, no pending messages cookie. Anything a page renders
  differently for a visitor hangs off one of these, which is why the pages' `Vary: Cookie`
  does not split the cache: every cookie-less request gets the same page.
The response is stored only if it is a 200 HTML page that sets no cookie, did not use the
CSRF token (a form for this visitor) nor the Content-Security-Policy nonce (an inline script
for this response), is not private/no-cache/no-store (Wagtail's restricted pages and
`never_cache` views say so) and is not a preview. The CSP header itself is not stored: its
middleware (booke.headers) sits before this one and writes it on every response, hits too.
(Oscar's product page set the history cookie on every view: the shop's version leaves that
to a beacon from the page, shop/history, so that it can be stored.)

The key is the scheme, host, full path with its query and the language the LocaleMiddleware
will pick; the value is the page's status, headers and bytes with the generation token it was
rendered under (services.py), read together with the current token in one round trip.

A request that does carry an identity (a logged-in person, a basket) is served the same stored
page when there is one (issue 20: rendering it for them cost 0.01–0.03× a minimal view): the
stored page is an anonymous visitor's, so nothing of anyone is in it, and what is theirs — the
header's account links and basket count, the forms' CSRF token, "commenting as" — comes after
it from the visitor fragment (editorial/site/views.py) that static/editorial/visitor.js fetches
when the SHARED_COOKIE this answer sets says so. Without JavaScript they read the generic
header. Such a request never stores a page (its render is theirs), and it is rendered as before
when nothing is stored, when a message waits for it (the messages cookie: the page shows it),
or when the view said its page differs for people beyond that (`response.varies_for_people`,
stored with the page: the product page and its wish lists)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.utils.cache import has_vary_header, patch_cache_control
from django.utils.translation import get_language_from_request

from . import services

HEADER = "X-Cache"
PAGE_KEY_PREFIX = "pagecache:page:"
_UNCACHEABLE_DIRECTIVES = ("private", "no-cache", "no-store")
# Tells visitor.js that this page was served shared to someone with an identity: fetch their
# bits. Readable by the script (not HttpOnly); it holds no secret, only "1".
SHARED_COOKIE = "booke_visitor"
# Set by a view on a response whose page shows a logged-in person more of theirs than the
# fragment restores: stored for anonymous visitors, never served to people.
VARIES_FOR_PEOPLE = "varies_for_people"


def identity_cookies() -> tuple[str, ...]:
    """Cookies that make a request someone's: their pages are never shared."""
    return (settings.SESSION_COOKIE_NAME, settings.OSCAR_BASKET_COOKIE_OPEN,
            CookieStorage.cookie_name)


def is_public_path(path: str) -> bool:
    if any(path.startswith(prefix) for prefix in settings.PAGE_CACHE_EXCLUDED_PREFIXES):
        return False
    if path.startswith(settings.PAGE_CACHE_SHOP_PREFIX):
        return any(path.startswith(p) for p in settings.PAGE_CACHE_SHOP_PAGES)
    return True


def page_key(request: HttpRequest) -> str:
    language = get_language_from_request(request)
    raw = f"{language}|{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return PAGE_KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def is_storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    if response.cookies:
        return False
    # Set by get_token() (a {% csrf_token %} rendered, or a new cookie made): the page holds
    # a token for this visitor only. CsrfViewMiddleware resets the flag to False once it has
    # set the cookie, so its presence is what counts.
    if "CSRF_COOKIE_NEEDS_UPDATE" in request.META or request.META.get("CSRF_COOKIE_USED"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in _UNCACHEABLE_DIRECTIVES):
        return False
    if has_vary_header(response, "*"):
        return False
    if getattr(request, "is_preview", False):
        return False
    # An inline script with this response's CSP nonce: stored, the page would hand the same
    # nonce to every visitor (a nonce is worth something only while nobody can know it in
    # advance). django-csp makes the nonce on first use; its lazy object is true from then on.
    if getattr(request, "csp_nonce", None):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _mark_shared(response: HttpResponse) -> None:
    """Browsers keep the page briefly (a purge cannot reach them), shared caches longer (a
    publish purges the CDN). A view's own Cache-Control is left alone."""
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE,
                            s_maxage=settings.PAGE_CACHE_S_MAXAGE)


def _mark_private(response: HttpResponse) -> None:
    patch_cache_control(response, private=True, no_cache=True)


def _shared_with_people(entry: tuple) -> bool:
    # Entries stored before people were served from the cache have four fields: not shared.
    return len(entry) > 4 and entry[4]


def _from_entry(entry: tuple) -> HttpResponse:
    status, headers, content = entry[1:4]
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response[HEADER] = "hit"
    return response


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.identity_cookies = identity_cookies()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PAGE_CACHE_ENABLED or not is_public_path(request.path):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return self._bypass(request)
        identified = any(name in request.COOKIES for name in self.identity_cookies)
        # A message waits (an emptied cookie is one the browser was told to drop: none waits).
        if identified and request.COOKIES.get(CookieStorage.cookie_name):
            return self._bypass(request)

        cache = services.page_cache()
        key = page_key(request)
        found = cache.get_many([services.GENERATION_KEY, key])
        generation = found.get(services.GENERATION_KEY) or services.ensure_generation(cache)
        entry = found.get(key)
        if entry is not None and entry[0] == generation:
            if not identified:
                return _from_entry(entry)
            if _shared_with_people(entry):
                return self._shared(request, entry)
        if identified:
            return self._bypass(request)

        response = self.get_response(request)
        if not is_storable(request, response):
            if response.get("Content-Type", "").startswith("text/html"):
                _mark_private(response)
            response[HEADER] = "bypass"
            return response
        _mark_shared(response)
        headers = [(name, value) for name, value in response.items() if name != HEADER]
        shared = not getattr(response, VARIES_FOR_PEOPLE, False)
        cache.set(key, (generation, response.status_code, headers, response.content, shared),
                  settings.PAGE_CACHE_SECONDS)
        response[HEADER] = "miss"
        return response

    def _bypass(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        _mark_private(response)
        response[HEADER] = "bypass"
        return response

    @staticmethod
    def _shared(request: HttpRequest, entry: tuple) -> HttpResponse:
        """The anonymous page for someone with an identity: private (a shared cache must not
        keep an answer carrying a Set-Cookie), and the cookie that has their script fetch
        their bits."""
        response = _from_entry(entry)
        response.headers.pop("Cache-Control", None)
        _mark_private(response)
        if request.COOKIES.get(SHARED_COOKIE) != "1":
            response.set_cookie(SHARED_COOKIE, "1", samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response
