from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from booker.models import (
    PhotoSession,
    User,
)
from booker.sessions.access import studio_sessions

Status = PhotoSession.Status






# What a session's status means for the client, in their words.
CLIENT_STATUS_TEXT = {
    Status.BOOKED: _("Your session is booked. We look forward to seeing you!"),
    Status.SHOT: _(
        "Your photos are being prepared. You will get an email as soon as you can "
        "choose your favourites."
    ),
    Status.PROOFING: _(
        "Your proofs are ready: pick the photos you want, add a comment if you "
        "wish, then submit your selection."
    ),
    Status.AWAITING_PAYMENT: _(
        "Your selection is saved. The studio starts on it as soon as your extra photos are "
        "paid."
    ),
    Status.SELECTION_SUBMITTED: _("Thank you! Your selection is with the studio."),
    Status.RETOUCHING: _("Your photos are being retouched."),
    Status.DELIVERED: _("Your photos are ready to download."),
    # Only the originals (RAW) go to the archive tier: the finals stay online.
    Status.ARCHIVED: _(
        "Your photos are ready to download. The studio keeps the original files in its "
        "archive; ask if you need them."
    ),
    Status.RESTORING: _(
        "Your photos are ready to download. The studio is bringing the original files back "
        "from its archive."
    ),
    Status.CANCELLED: _("This session was cancelled."),
}










def back_office_sessions(user: User) -> QuerySet[PhotoSession]:
    """The sessions of the back office's lists and pages: `studio_sessions`, the same rule as
    the files."""
    return studio_sessions(user).select_related("client", "company", "package")
