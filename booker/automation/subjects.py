"""The Booker's own subjects of events without a session (the shop registers its orders and
baskets in its apps): "invitation:<pk>", an account the studio opened for a client;
"booking:<pk>", a booking made online.

Registered when booker/receivers.py imports this module (BookerConfig.ready())."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from booker.automation.context import (
    Recipient,
    Subject,
    declare_variables,
    register_subject,
    when,
)
from booker.events import Happened
from booker.mail import absolute_url
from booker.models import Booking, Invitation
from booker.people.services import invitation_url


def invitation(ident: str, happened: Happened) -> Subject | None:
    """The invited person, and their link as it is now: rendered again on a retry, the email
    carries the same link (the link is a signature of the row's nonce, no timestamp)."""
    found = (Invitation.objects.select_related("user", "session")
             .filter(pk=int(ident)).first() if ident.isdigit() else None)
    if found is None:
        return Subject(still_relevant=False)
    user = found.user
    variables = {
        "invitation_url": invitation_url(found),
        "invitation_expires_on": date_format(timezone.localtime(found.expires_at), "l j F Y"),
    }
    if found.session is not None:
        variables.update(session_title=found.session.title,
                         session_date=when(found.session.scheduled_at))
    return Subject(
        variables=variables,
        client=[Recipient(user.email, user.first_name or user.get_full_name(), user.pk)]
        if user.email and user.is_active else [],
        # Accepted, revoked or expired meanwhile: the email would carry a dead link.
        still_relevant=found.state == "pending",
    )


register_subject("invitation", invitation)
declare_variables(
    invitation_url=gettext_lazy("the link to choose a password (invitation; absolute link)"),
    invitation_expires_on=gettext_lazy("the last day the invitation's link works"),
)


def booking(ident: str, happened: Happened) -> Subject | None:
    """An online booking (booker.booking): its type and slot, who booked it; still worth an
    email while the booking is where the event left it (a request approved meanwhile needs no
    "request received", a cancelled booking no balance reminder)."""
    found = (Booking.objects.select_related("session_type", "client", "company", "booked_by")
             .filter(pk=int(ident)).first() if ident.isdigit() else None)
    if found is None:
        return Subject(still_relevant=False)
    person = found.client or found.booked_by
    arrived = happened.event.value.partition(".")[2]
    if arrived in Booking.Status.values:
        relevant = found.status == arrived
    else:
        relevant = found.status in (Booking.Status.CONFIRMED, Booking.Status.REQUESTED)
    return Subject(
        variables={
            "booking_type": found.session_type.name,
            "booking_date": when(found.starts_at),
            "booking_admin_url": absolute_url(
                reverse("admin:booker_booking_change", args=[found.pk])),
            "client_name": (found.company.name if found.company_id else
                            person.get_full_name() or person.email if person else ""),
            "headshot_day_url": absolute_url(reverse(
                "portal:headshot-day", args=[found.headshot_day.pk]))
            if hasattr(found, "headshot_day") else "",
        },
        client=[Recipient(person.email, person.first_name or person.get_full_name(), person.pk)]
        if person is not None and person.email and person.is_active else [],
        company_name=found.company.name if found.company_id else "",
        amount=found.price,
        still_relevant=relevant,
    )


register_subject("booking", booking)
declare_variables(
    booking_admin_url=gettext_lazy("the booking's page in the admin (for staff)"),
    headshot_day_url=gettext_lazy("where a company's members pick their headshot slot"),
    contract_attached=gettext_lazy("true when the signed contract is attached (online booking)"),
)
