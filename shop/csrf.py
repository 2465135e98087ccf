"""CSRF for the forms on cached pages: checked for logged-in people only.

Here, in the shop, because it is the lowest app with such a form (the catalogue's "add to
basket") and the arrows editorial → shop let the site's forms (comments, newsletter) use it
too; booke/ is the wiring above every app, which no app imports.

A cached page is shared between anonymous visitors, so its forms carry no CSRF token for them,
and the views those forms post to are exempt from the middleware's check. A logged-in person gets
the same stored page, their forms given their token by the visitor fragment's script
(editorial/site/views.py), or a page rendered for them that carries it; a forged post could
abuse their session: for them the check runs here. An anonymous post carries no identity to
abuse; spam is the honeypots' and the rate limits' business."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt


def _never_called(request: HttpRequest) -> HttpResponse:  # pragma: no cover
    raise AssertionError("the CSRF check only decides, it never calls the view")


def csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's own refusal for a logged-in person's post without a valid token, else None."""
    if not request.user.is_authenticated:
        return None
    # The middleware skipped the view because it is marked exempt; ask it again about no view.
    return CsrfViewMiddleware(_never_called).process_view(request, None, (), {})


def csrf_for_people_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view, exempt from the middleware and answered by Django's refusal where due."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refused = csrf_refusal(request)
        if refused is not None:
            return refused
        return view(request, *args, **kwargs)

    return wrapped
