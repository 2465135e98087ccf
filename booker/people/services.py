from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from booker import roles
from booker.crm import services as crm
from booker.errors import StudioError
from booker.events import Event, emit
from booker.mail import absolute_url, templated_email
from booker.models import (
    Company,
    Invitation,
    Membership,
    PhotoSession,
    User,
    normalise_email,
)

log = logging.getLogger(__name__)


Status = PhotoSession.Status


@transaction.atomic
def assign_role(user: User, role: str, *, actor: User | None = None) -> None:
    """Put `user` in the role's group; back-office roles also need Django's staff flag.

    `actor` is the person asking (None for the system: migrations, seeds, commands): only a
    superuser grants a role."""
    if role not in roles.ALL_ROLES:
        raise ValueError(f"Unknown role {role!r}; roles are {', '.join(roles.ALL_ROLES)}.")
    if actor is not None and not roles.grants_rights(actor):
        raise StudioError(_("Only an administrator can give a role."))
    user.groups.add(Group.objects.get(name=role))
    if role in roles.STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def ensure_user(email: str, *, password: str | None = None, **fields) -> tuple[User, bool]:
    """The account for `email` (any case), created with `fields` and `password` if new.

    An existing account is left as it is, so running a seed twice changes nothing."""
    user = User.objects.filter(email__iexact=normalise_email(email)).first()
    if user is not None:
        return user, False
    # No contact here: seeds and commands make the studio's own team this way too, and the
    # studio's staff are not its clients (a client's account gets its contact where it is
    # opened: create_client, a sign-up, an invitation; the demo's clients from its seed).
    return User.objects.create_user(email, password, **fields), True


def create_client(email: str, *, first_name: str = "", last_name: str = "",
                  phone: str = "") -> User:
    """A client's account with no usable password (the studio never types one): they choose
    it from their invitation."""
    if User.objects.filter(email__iexact=normalise_email(email)).exists():
        raise StudioError(_("An account already exists for this email address."))
    with transaction.atomic():
        user = User.objects.create_user(email, None, first_name=first_name,
                                        last_name=last_name, phone=phone)
        # The person may have written or subscribed before: their contact becomes the account's.
        crm.attach_account(user)
    return user


def register_client(email: str, password: str, *, first_name: str = "", last_name: str = "",
                    phone: str = "") -> User:
    """A client who opens their own account (booking online) with the password they chose
    (the caller has validated it against Django's validators)."""
    with transaction.atomic():
        user = create_client(email, first_name=first_name, last_name=last_name, phone=phone)
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def invite_client(
    email: str,
    *,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    invited_by: User | None = None,
    session: PhotoSession | None = None,
) -> User:
    """Open a client's account and invite them to choose their password (`invite`): the
    invitation email goes out through the automation engine (rule "invitation")."""
    with transaction.atomic():
        user = create_client(email, first_name=first_name, last_name=last_name, phone=phone)
        invite(user, invited_by=invited_by, session=session)
    log.info("client %s invited by %s", user.pk, getattr(invited_by, "pk", None))
    return user


def _new_nonce() -> str:
    return secrets.token_hex(16)


def _expiry():
    return timezone.now() + timedelta(days=invitation_days())


def invitation_days() -> int:
    return int(getattr(settings, "BOOKER_INVITATION_DAYS", 7))


def _announce(invitation: Invitation, actor: User | None) -> None:
    # The session goes in the payload, not in `session=`: the event concerns the person (the
    # session's recipients would be a company's whole team), and `emit` owns that keyword.
    emit(Event.CLIENT_INVITED, subject=f"invitation:{invitation.pk}", user=invitation.user,
         actor=actor, session_id=invitation.session_id)


def invite(user: User, *, invited_by: User | None = None,
           session: PhotoSession | None = None) -> Invitation:
    """Invite `user` (an account without a password) to choose theirs: the invitation row,
    and the `account.invited` event that the engine turns into the email. A person already
    invited gets their invitation sent again (a fresh link) rather than a second one."""
    if user.has_usable_password():
        raise StudioError(_("This person has already chosen a password: they can sign in."))
    with transaction.atomic():
        open_one = (Invitation.objects.select_for_update()
                    .filter(user=user, used_at__isnull=True).order_by("-pk").first())
        if open_one is not None:
            if session is not None:
                open_one.session = session
            return _rotate(open_one, actor=invited_by)
        invitation = Invitation.objects.create(
            user=user, session=session, invited_by=invited_by, expires_at=_expiry(),
            nonce=_new_nonce(),
        )
        _announce(invitation, invited_by)
    return invitation


def _rotate(invitation: Invitation, *, actor: User | None) -> Invitation:
    now = timezone.now()
    invitation.nonce = _new_nonce()
    invitation.expires_at = _expiry()
    invitation.sent_at = now
    invitation.revoked_at = None
    invitation.save(update_fields=["nonce", "expires_at", "sent_at", "revoked_at", "session"])
    _announce(invitation, actor)
    return invitation


def resend_invitation(invitation: Invitation, *, actor: User | None = None) -> Invitation:
    """Send a fresh link: the previous one stops working, the new one runs for
    BOOKER_INVITATION_DAYS. A revoked invitation is reopened (the studio asked for it)."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related("user").get(
            pk=invitation.pk)
        if locked.used_at is not None or locked.user.has_usable_password():
            raise StudioError(_("This invitation was already accepted: the client can sign "
                                "in (or reset their password)."))
        if not locked.user.is_active:
            raise StudioError(_("This account is deactivated."))
        return _rotate(locked, actor=actor)


def revoke_invitation(invitation: Invitation, *, actor: User | None = None) -> Invitation:
    """The link stops working at once (a wrong address, a client who cancelled)."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.used_at is not None:
            raise StudioError(_("This invitation was already accepted."))
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
        log.info("invitation %s revoked by %s", locked.pk, getattr(actor, "pk", None))
        return locked


# --- The link ----------------------------------------------------------------------------------
# A signature of "<pk>-<nonce>", without a timestamp: the same invitation gives the same link
# every time the email is rendered; the row says whether it is still good.
INVITATION_SALT = "booke.invitation"


def _signer() -> signing.Signer:
    return signing.Signer(salt=INVITATION_SALT, sep=".")


def invitation_token(invitation: Invitation) -> str:
    return _signer().sign(f"{invitation.pk}-{invitation.nonce}")


def invitation_url(invitation: Invitation) -> str:
    return absolute_url(reverse("invitation_accept", args=[invitation_token(invitation)]))


@dataclass(frozen=True)
class InvitationLink:
    """What a link leads to: its invitation (None when the link is not one of ours) and
    whether it works ("pending") or why not ("used", "revoked", "expired", "replaced" by a
    newer link, "invalid")."""

    invitation: Invitation | None
    state: str


def read_invitation(token: str, *, for_update: bool = False) -> InvitationLink:
    try:
        value = _signer().unsign(token or "")
    except signing.BadSignature:
        return InvitationLink(None, "invalid")
    pk, _sep, nonce = value.partition("-")
    rows = Invitation.objects.select_related("user", "session")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(pk=int(pk)).first() if pk.isdigit() else None
    if invitation is None:
        return InvitationLink(None, "invalid")
    state = invitation.state
    if state == "pending" and not constant_time_compare(nonce, invitation.nonce):
        state = "replaced"
    if state == "pending" and not invitation.user.is_active:
        state = "revoked"
    # A client who chose a password another way (the reset link) has used their account: the
    # invitation must not set it again for whoever holds the old email.
    if state == "pending" and invitation.user.has_usable_password():
        state = "used"
    return InvitationLink(invitation, state)


class InvitationRefused(StudioError):
    """A link that does not (or no longer) lead to a password: `reason` is its state."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def accept_invitation(token: str, password: str) -> User:
    """The client chose their password from a working link: it is set (Django's validators),
    the link dies. Raises InvitationRefused (with the link's state) or ValidationError."""
    with transaction.atomic():
        link = read_invitation(token, for_update=True)
        if link.state != "pending":
            raise InvitationRefused(link.state)
        invitation = link.invitation
        user = invitation.user
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
    return user


@transaction.atomic
def add_member(company: Company, user: User, role: str = Membership.Role.MEMBER) -> Membership:
    membership, created = Membership.objects.get_or_create(
        company=company, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


# --- "Mon compte": what a person changes about themselves --------------------------------------

def update_profile(user: User, *, first_name: str, last_name: str, phone: str) -> None:
    user.first_name, user.last_name, user.phone = (
        first_name.strip(), last_name.strip(), phone.strip())
    user.save(update_fields=["first_name", "last_name", "phone"])


def change_password(user: User, password: str) -> None:
    """A person's new password from "Mon compte", already checked by its form (the current
    password when they have one, `selectors.confirms_old_password`; Django's validators). The
    person's other sessions end with the old password's hash; the caller keeps the current
    one (django.contrib.auth.update_session_auth_hash)."""
    user.set_password(password)
    user.save(update_fields=["password"])


def set_reminder_emails(user: User, on: bool) -> None:
    """Reminders and review requests by email (service messages always go out)."""
    User.objects.filter(pk=user.pk).update(reminder_emails=on)
    user.reminder_emails = on


def stop_reminder_emails(email: str) -> int:
    """The reminders' unsubscribe link: off for the account of `email` (none: nothing)."""
    return User.objects.filter(email__iexact=normalise_email(email)).update(
        reminder_emails=False)


# A new address is taken only once its owner clicks the link sent to it; the link names the
# address it replaces, so it dies with any other change of address meanwhile.
EMAIL_CHANGE_SALT = "booke.email-change"
EMAIL_CHANGE_MAX_AGE = timedelta(days=2)


def request_email_change(user: User, new_email: str) -> str:
    """Email a confirmation link to `new_email`; the account's address is unchanged until it
    is followed. Returns the normalised new address."""
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise StudioError(_("This is already your email address."))
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise StudioError(_("An account already exists for this email address."))
    token = signing.dumps({"u": user.pk, "e": new_email, "c": user.email},
                          salt=EMAIL_CHANGE_SALT, compress=True)
    context = {
        "user": user, "new_email": new_email,
        "link": absolute_url(reverse("portal:email-confirm", args=[token])),
        "days": EMAIL_CHANGE_MAX_AGE.days,
    }
    transaction.on_commit(
        lambda: templated_email("booker/email/email_change", context, [new_email]).send())
    return new_email


def confirm_email_change(token: str) -> User:
    """The link of the confirmation email: the account takes the new address."""
    try:
        data = signing.loads(token or "", salt=EMAIL_CHANGE_SALT,
                             max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature as exc:
        raise StudioError(_("This link is not valid or has expired.")) from exc
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("u")).first()
        if user is None or not user.is_active or user.email != data.get("c"):
            raise StudioError(_("This link is not valid or has expired."))
        if User.objects.filter(email__iexact=data["e"]).exclude(pk=user.pk).exists():
            raise StudioError(_("An account already exists for this email address."))
        user.email = data["e"]
        user.save(update_fields=["email"])
        # The person's CRM contact, and their consents with it, take the address now.
        crm.account_email_changed(user)
    log.info("user %s changed their email address", user.pk)
    return user
