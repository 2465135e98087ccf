"""Writes of the team portal: invitations to a company's team, roles, removals. Each records
an event (`team.*`, subject "company:<pk>", the actor) that the company's activity log reads.

Rules that hold whoever calls: only an admin invites, changes roles and removes; a company
never loses its last admin (so nobody demotes or removes themselves when they are the last)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import password_validation
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
from booker.models import Company, Membership, TeamInvitation, User, normalise_email
from booker.teams import selectors

log = logging.getLogger(__name__)

Role = Membership.Role
INVITATION_DAYS = 7


def _require_admin(actor: User, company: Company) -> Membership:
    membership = selectors.membership_in(actor, company)
    if not selectors.is_admin(membership):
        raise StudioError(_("Only an admin of the company can do this."))
    return membership


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise StudioError(_("Unknown role."))


def _emit(event: Event, company: Company, *, actor: User | None, user: User | None = None,
          **payload) -> None:
    emit(event, subject=f"company:{company.pk}", user=user, actor=actor, company=company.pk,
         **payload)


# --- Invitations ---------------------------------------------------------------------------------


def invite_member(company: Company, email: str, role: str, *, actor: User) -> TeamInvitation:
    """An admin invites `email` to the team with `role`: the invitation, its email (sent once
    the transaction commits) and the `team.invited` event. Inviting again an address with a
    waiting invitation sends that one again (a fresh link)."""
    _require_admin(actor, company)
    _check_role(role)
    email = normalise_email(email)
    if not email or "@" not in email:
        raise StudioError(_("Enter a valid email address."))
    if not selectors.email_domain_allowed(company, email):
        raise StudioError(
            _("%(company)s invites only addresses at %(domains)s: %(email)s is not one.")
            % {"company": company.name, "domains": ", ".join(company.allowed_domains()),
               "email": email})
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        raise StudioError(_("%(email)s is already a member of the team.") % {"email": email})
    _refuse_staff(User.objects.filter(email__iexact=email).first())
    with transaction.atomic():
        open_one = (TeamInvitation.objects.select_for_update()
                    .filter(company=company, email=email, used_at__isnull=True)
                    .order_by("-pk").first())
        if open_one is not None:
            open_one.role = role
            return _rotate(open_one, actor=actor)
        invitation = TeamInvitation.objects.create(
            company=company, email=email, role=role, invited_by=actor,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS), nonce=_nonce())
        _send(invitation)
        _emit(Event.TEAM_INVITED, company, actor=actor, email=email, role=role)
    log.info("team invitation %s to company %s by %s", invitation.pk, company.pk, actor.pk)
    return invitation


def _nonce() -> str:
    return secrets.token_hex(16)


def _rotate(invitation: TeamInvitation, *, actor: User) -> TeamInvitation:
    invitation.nonce = _nonce()
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + timedelta(days=INVITATION_DAYS)
    invitation.revoked_at = None
    invitation.save(update_fields=["nonce", "sent_at", "expires_at", "revoked_at", "role"])
    _send(invitation)
    _emit(Event.TEAM_INVITED, invitation.company, actor=actor, email=invitation.email,
          role=invitation.role)
    return invitation


def resend_invitation(invitation: TeamInvitation, *, actor: User) -> TeamInvitation:
    """A fresh link (the previous one stops working), valid another week; a revoked or
    expired invitation is opened again."""
    _require_admin(actor, invitation.company)
    with transaction.atomic():
        locked = TeamInvitation.objects.select_for_update().select_related("company").get(
            pk=invitation.pk)
        if locked.used_at is not None:
            raise StudioError(_("This invitation was already accepted."))
        return _rotate(locked, actor=actor)


def revoke_invitation(invitation: TeamInvitation, *, actor: User) -> TeamInvitation:
    _require_admin(actor, invitation.company)
    with transaction.atomic():
        locked = TeamInvitation.objects.select_for_update().select_related("company").get(
            pk=invitation.pk)
        if locked.used_at is not None:
            raise StudioError(_("This invitation was already accepted."))
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            _emit(Event.TEAM_INVITATION_REVOKED, locked.company, actor=actor,
                  email=locked.email, role=locked.role)
    return locked


def _send(invitation: TeamInvitation) -> None:
    """The invitation email, in French, through the site's mail path once the transaction
    commits (a rolled-back invitation sends nothing)."""
    context = {
        "company": invitation.company,
        "invited_by": invitation.invited_by,
        "role": invitation.get_role_display(),
        "link": invitation_url(invitation),
        "expires_at": invitation.expires_at,
    }
    message = templated_email("booker/email/team_invitation", context, [invitation.email])
    transaction.on_commit(message.send)


# --- The link ------------------------------------------------------------------------------------

SALT = "booke.team-invitation"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=".")


def invitation_token(invitation: TeamInvitation) -> str:
    return _signer().sign(f"{invitation.pk}-{invitation.nonce}")


def invitation_url(invitation: TeamInvitation) -> str:
    return absolute_url(reverse("team_invitation_accept", args=[invitation_token(invitation)]))


@dataclass(frozen=True)
class TeamLink:
    """What a link leads to: its invitation (None when it is not one of ours) and its state:
    "pending" (it works), "used", "revoked", "expired", "replaced" (a newer link was sent),
    "domain" (the company no longer accepts that address's domain), "invalid"."""

    invitation: TeamInvitation | None
    state: str

    @property
    def existing_user(self) -> User | None:
        if self.invitation is None:
            return None
        return User.objects.filter(email__iexact=self.invitation.email).first()


def read_invitation(token: str, *, for_update: bool = False) -> TeamLink:
    try:
        value = _signer().unsign(token or "")
    except signing.BadSignature:
        return TeamLink(None, "invalid")
    pk, _sep, nonce = value.partition("-")
    rows = TeamInvitation.objects.select_related("company", "invited_by")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(pk=int(pk)).first() if pk.isdigit() else None
    if invitation is None:
        return TeamLink(None, "invalid")
    state = invitation.state
    if state == "pending" and not constant_time_compare(nonce, invitation.nonce):
        state = "replaced"
    if state == "pending" and not selectors.email_domain_allowed(invitation.company,
                                                                 invitation.email):
        state = "domain"
    return TeamLink(invitation, state)


class InvitationRefused(StudioError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _refuse_staff(user: User | None) -> None:
    """A staff account is put in a company by a superuser only (booker.roles): never by a
    client's invitation."""
    if user is not None and roles.holds_rights(user):
        raise StudioError(_("This address belongs to the studio's staff: ask the studio."))


def _join(invitation: TeamInvitation, user: User) -> Membership:
    if roles.holds_rights(user):
        raise InvitationRefused("staff")
    membership, created = Membership.objects.get_or_create(
        company=invitation.company, user=user, defaults={"role": invitation.role})
    invitation.used_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["used_at", "accepted_by"])
    if created:
        _emit(Event.TEAM_JOINED, invitation.company, actor=user, user=user, email=user.email,
              role=membership.role)
    return membership


def accept_as(token: str, user: User) -> Membership:
    """A signed-in person follows the link sent to their own address: they join the team.
    The address must be theirs: the link alone does not make someone else a member."""
    with transaction.atomic():
        link = read_invitation(token, for_update=True)
        if link.state != "pending":
            raise InvitationRefused(link.state)
        if normalise_email(user.email) != link.invitation.email:
            raise InvitationRefused("other_account")
        return _join(link.invitation, user)


def accept_new(token: str, password: str, *, first_name: str = "",
               last_name: str = "") -> User:
    """Someone without a password follows the link: the one login of their address is opened
    (or, if the studio had opened it without a password, completed) with the password they
    chose, and they join the team. Raises InvitationRefused or ValidationError."""
    with transaction.atomic():
        link = read_invitation(token, for_update=True)
        if link.state != "pending":
            raise InvitationRefused(link.state)
        invitation = link.invitation
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None and (user.has_usable_password() or not user.is_active):
            # Their account exists: they sign in first (the link never sets a password).
            raise InvitationRefused("sign_in")
        if user is None:
            user = User(email=invitation.email, first_name=first_name.strip(),
                        last_name=last_name.strip())
        password_validation.validate_password(password, user)
        user.set_password(password)
        if first_name and not user.first_name:
            user.first_name = first_name.strip()
        if last_name and not user.last_name:
            user.last_name = last_name.strip()
        user.save()
        crm.attach_account(user)
        _join(invitation, user)
    return user


# --- Roles and removals --------------------------------------------------------------------------


def _keeps_an_admin(membership: Membership, *, new_role: str | None) -> None:
    """Refuses a change that would leave the company without an admin."""
    if membership.role != Role.ADMIN or new_role == Role.ADMIN:
        return
    others = (Membership.objects.select_for_update().filter(
        company_id=membership.company_id, role=Role.ADMIN).exclude(pk=membership.pk))
    if not others.exists():
        raise StudioError(_("The company needs at least one admin: name another admin "
                            "first."))


def change_role(membership: Membership, role: str, *, actor: User) -> Membership:
    _require_admin(actor, membership.company)
    _check_role(role)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("company", "user").get(
            pk=membership.pk)
        if locked.role == role:
            return locked
        _keeps_an_admin(locked, new_role=role)
        previous = locked.role
        locked.role = role
        locked.save(update_fields=["role"])
        _emit(Event.TEAM_ROLE_CHANGED, locked.company, actor=actor, user=locked.user,
              email=locked.user.email, role=role, previous=previous)
    return locked


def remove_member(membership: Membership, *, actor: User) -> None:
    """The person leaves the team: the row goes, so their next request to anything of the
    company (its pages, its sessions, its files) is refused."""
    _require_admin(actor, membership.company)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("company", "user").get(
            pk=membership.pk)
        _keeps_an_admin(locked, new_role=None)
        company, user = locked.company, locked.user
        locked.delete()
        _emit(Event.TEAM_MEMBER_REMOVED, company, actor=actor, user=user, email=user.email,
              role=locked.role)
    log.info("member %s removed from company %s by %s", user.pk, company.pk, actor.pk)
