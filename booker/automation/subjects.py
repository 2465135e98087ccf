"""The Booker's own subjects of events without a session (the shop registers its orders and
baskets in its apps): "invitation:<pk>", an account the studio opened for a client.

Registered when booker/receivers.py imports this module (BookerConfig.ready())."""

from __future__ import annotations

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
from booker.models import Invitation
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
