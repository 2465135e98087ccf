"""The client's bookings in the portal: move a session to another free slot of its type, or
cancel it and see beforehand what the policy refunds. The rules (notice, refunds, a free slot)
are the services'; a refusal (StudioError) is shown as it is, politely, on the same page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from booker import selectors, services
from booker.booking.availability import PARIS
from booker.models import Booking
from booker.views.booking import _photographer_id, _photographers, _posted_start, picker_context

Status = Booking.Status
# What a client may still move or cancel from the portal.
OPEN = (Status.REQUESTED, Status.CONFIRMED)


def _own_booking(request: HttpRequest, token: str) -> Booking:
    """The booking if it is this person's (their own, or their company's); else 404."""
    booking = selectors.booking_for(token, user=request.user, holder_key="")
    if booking is None:
        raise Http404("No such booking.")
    return booking


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    booking = _own_booking(request, token)
    here = reverse("portal:booking-reschedule", args=[booking.token])
    allowed = booking.status in OPEN and selectors.can_reschedule(booking)
    if request.method == "POST" and allowed:
        start = _posted_start(request)
        if start is None:
            messages.error(request, _("Which slot? The request was incomplete."))
            return redirect(here)
        try:
            services.reschedule_booking(
                booking, start, actor=request.user,
                photographer_id=_photographer_id(request, _photographers(booking.session_type)),
            )
        except services.StudioError as exc:
            messages.error(request, str(exc))
            return redirect(here)
        messages.success(request, _("Your session is moved. The new date is in your email, "
                                    "with the calendar invitation."))
        return redirect("booking:status", token=booking.token)
    context = {"booking": booking, "allowed": allowed}
    if allowed:
        context.update(picker_context(request, booking.session_type, here,
                                      opens_on=booking.starts_at.astimezone(PARIS).date()))
    return render(request, "booker/booking/reschedule.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    booking = _own_booking(request, token)
    allowed = booking.status in OPEN
    if request.method == "POST" and allowed:
        try:
            refund = services.cancel_booking(booking, actor=request.user)
        except services.StudioError as exc:
            messages.error(request, str(exc))
            return redirect("portal:booking-cancel", token=booking.token)
        if refund > 0:
            messages.success(request, _("Your booking is cancelled. %(amount)s will be refunded "
                                        "to you.") % {"amount": _money(refund)})
        else:
            messages.success(request, _("Your booking is cancelled."))
        return redirect("portal:home")
    return render(request, "booker/booking/cancel.html", {
        "booking": booking,
        "allowed": allowed,
        "refund": selectors.refund_if_cancelled(booking) if allowed else None,
    })


def _money(amount) -> str:
    return f"{number_format(amount, 2)}\u00a0€"
