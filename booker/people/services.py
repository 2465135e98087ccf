from __future__ import annotations

import logging

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from booker import roles
from booker.errors import StudioError
from booker.mail import absolute_url, templated_email
from booker.models import (
    Company,
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
    return User.objects.create_user(email, password, **fields), True


def invite_client(
    email: str,
    *,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    invited_by: User | None = None,
) -> User:
    """Open a client's account and email them a link to choose their password.

    The studio never types a client's password: the account starts with an unusable one and
    the link is Django's password-reset token (valid `PASSWORD_RESET_TIMEOUT`, dead once a
    password is set), leading to the one login's "choose a password" page. The invitation
    with resend and revoke will grow here."""
    if User.objects.filter(email__iexact=normalise_email(email)).exists():
        raise StudioError(_("An account already exists for this email address."))
    with transaction.atomic():
        user = User.objects.create_user(
            email, None, first_name=first_name, last_name=last_name, phone=phone
        )
        log.info("client %s invited by %s", user.pk, getattr(invited_by, "pk", None))
        transaction.on_commit(lambda: send_invitation(user, invited_by=invited_by))
    return user


def send_invitation(user: User, *, invited_by: User | None = None) -> None:
    """The email inviting `user` to choose a password (text and HTML, French)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "invited_by": invited_by,
        "link": absolute_url(path),
        "login": absolute_url(reverse("login")),
    }
    templated_email("booker/email/invitation", context, [user.email]).send()


@transaction.atomic
def add_member(company: Company, user: User, role: str = Membership.Role.MEMBER) -> Membership:
    membership, created = Membership.objects.get_or_create(
        company=company, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership
