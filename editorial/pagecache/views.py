"""Forms on cached pages carry no CSRF token for anonymous visitors (a cached page is shared):
the views they post to are exempt, and check CSRF themselves for a logged-in person, whose
pages are never cached and carry the token (docs: the house rule on public forms)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from oscar.core.loading import get_class


def csrf_for_people_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            refused = CsrfViewMiddleware(view).process_view(request, None, args, kwargs)
            if refused is not None:
                return refused
        return view(request, *args, **kwargs)

    return wrapped


# Oscar's "add to basket", posted from the catalogue and product pages.
basket_add = csrf_for_people_only(get_class("basket.views", "BasketAddView").as_view())
