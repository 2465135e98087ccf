"""A company's headshot day in the team portal: each member picks their few minutes in front of
the camera. Thin: who may see the day and what is free come from booker.selectors, a pick goes
through booker.services."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booker import selectors, services
from booker.booking.availability import PARIS


def _day_for(request: HttpRequest, pk: int):
    day = next((d for d in selectors.headshot_days_of(request.user) if d.pk == pk), None)
    if day is None:
        raise Http404
    return day


@login_required
@require_http_methods(["GET", "POST"])
def headshot_day(request: HttpRequest, pk: int) -> HttpResponse:
    day = _day_for(request, pk)
    if request.method == "POST":
        try:
            if request.POST.get("release"):
                services.release_headshot_slot(day, request.user)
                messages.success(request, _("Your slot is free again."))
            else:
                start = datetime.fromisoformat(request.POST.get("start", "")).astimezone(PARIS)
                services.pick_headshot_slot(day, request.user, start)
                messages.success(request, _("Your slot is booked: %(time)s.") % {
                    "time": f"{start:%H:%M}"})
        except ValueError:
            messages.error(request, _("Choose one of the slots offered."))
        except services.StudioError as error:
            messages.error(request, str(error))
        return redirect("portal:headshot-day", pk=day.pk)
    choices = selectors.headshot_slots(day)
    mine = next((c for c in choices if c.taken_by == request.user), None)
    return render(request, "booker/portal/headshot_day.html", {
        "day": day, "booking": day.booking, "choices": choices, "mine": mine,
    })
