"""Oscar's basket middleware, with a SameSite attribute on the basket cookie.

Oscar 4.2 sets the anonymous basket's cookie with Secure and HttpOnly but no SameSite (it has
no setting for it), so a browser that does not default to Lax would send it with a cross-site
POST. The middleware is Oscar's class, loaded from MIDDLEWARE: subclassing it is the Oscar way
to change it without forking the basket app (which has models)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from oscar.apps.basket.middleware import BasketMiddleware as OscarBasketMiddleware


class BasketMiddleware(OscarBasketMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        cookie = response.cookies.get(self.get_cookie_key(request))
        # Only a cookie being set: a deletion (max-age 0) needs no SameSite.
        if cookie is not None and cookie.value:
            cookie["samesite"] = settings.OSCAR_BASKET_COOKIE_SAMESITE
        return response
