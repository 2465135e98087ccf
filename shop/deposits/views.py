"""Thin view: a booking's deposit into the basket, then the checkout."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from booker import selectors as booker_selectors

from . import services


@login_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, token: str) -> HttpResponse:
    """The Booker sends the client here (booker.selectors.deposit_payment_url) once the
    contract is signed. Only the booking's owner gets its deposit in their basket: the line
    is replaced, never added twice, so coming back here is harmless."""
    booking = booker_selectors.booking_for(
        token, user=request.user, holder_key=request.session.session_key or ""
    )
    if booking is None:
        raise Http404("No such booking.")
    try:
        services.put_deposit_in_basket(request.basket, booking)
    except services.DepositError as exc:
        messages.error(request, str(exc))
        return redirect("basket:summary")
    return redirect("checkout:index")
