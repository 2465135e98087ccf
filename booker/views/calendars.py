"""Calendars (booker/calendars): the photographer's private feed (no login: its token is the
credential), the client's .ics of a session, and the photographer's page of their calendars
in the back office."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import URLValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from booker import selectors
from booker.calendars import selectors as calendar_selectors
from booker.calendars import services as calendars
from booker.models import ExternalCalendar


def _ics(content: bytes, *, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=f"{calendars.ICS_TYPE}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    return response


@require_safe  # some calendar apps ask HEAD first
@never_cache
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The photographer's sessions, for their calendar app to subscribe to."""
    found = calendar_selectors.live_feed(token)
    # A feed lives as long as its owner runs the studio: a photographer who lost the role
    # no longer reads the clients' sessions.
    if found is None or not selectors.runs_the_studio(found.user):
        raise Http404("No such calendar.")
    response = _ics(calendars.photographer_calendar(found.user), filename="booke.ics",
                    attachment=False)
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_GET
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """"Ajouter à mon agenda": the session for the client's calendar (same door as its page)."""
    session = selectors.session_for(request.user, pk)
    if session.scheduled_at is None:
        raise Http404("No date yet.")
    method = calendars.CANCEL if session.status == session.Status.CANCELLED else calendars.REQUEST
    return _ics(calendars.session_ics(session, method),
                filename=calendars.session_ics_filename(session), attachment=True)


class ExternalCalendarForm(forms.Form):
    # A CharField: calendar apps hand out webcal:// addresses, which URLField refuses.
    url = forms.CharField(
        label=_("Address of my own calendar (ICS)"), required=False, max_length=1000,
        help_text=_("The secret ICS address your calendar app gives (Google: “Secret address "
                    "in iCal format”). Its events block your booking slots; it is read every "
                    "15 minutes."),
    )

    def clean_url(self) -> str:
        url = calendars.external_calendar_url(self.cleaned_data["url"])
        if url:
            URLValidator(schemes=["http", "https"])(url)
        return url


def my_calendars(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """"Mes agendas": the photographer's feed address with its "new address" button, and the
    address of their own calendar with the state of its last fetch."""
    if not selectors.runs_the_studio(request.user):
        raise PermissionDenied
    user = request.user
    external = ExternalCalendar.objects.filter(photographer=user).first()
    form = ExternalCalendarForm(initial={"url": external.url if external else ""})
    if request.method == "POST":
        if request.POST.get("action") == "rotate":
            calendars.rotate_feed(user)
            messages.success(request, gettext(
                "Your calendar has a new address: the old one no longer works."))
            return redirect(request.path)
        form = ExternalCalendarForm(request.POST)
        if form.is_valid():
            calendar = calendars.set_external_calendar(user, form.cleaned_data["url"])
            # Read at once rather than at the next quarter hour: the photographer learns now
            # whether the address works, and its busy times block slots from this moment.
            if calendar is None:
                messages.success(request, gettext("Your calendar address is removed."))
            elif calendars.refresh_calendar(calendar):
                count = calendar.busy.count()
                messages.success(request, ngettext(
                    "Your calendar address is saved and read: %(n)d busy time blocks your "
                    "booking slots.",
                    "Your calendar address is saved and read: %(n)d busy times block your "
                    "booking slots.", count) % {"n": count})
            else:
                messages.warning(request, gettext(
                    "Your calendar address is saved, but it could not be read: %(why)s. It "
                    "will be tried again every 15 minutes.") % {
                        "why": calendar.last_error.split(" — ", 1)[-1].rstrip(".")})
            return redirect(request.path)
    return TemplateResponse(
        request,
        "admin/booker/photosession/calendars.html",
        model_admin.studio_context(
            request,
            title=gettext("My calendars"),
            feed_url=calendars.feed_url(calendars.feed_for(user)),
            form=form,
            external=external,
            busy_count=external.busy.count() if external else 0,
        ),
    )
