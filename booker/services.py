"""Writes to the studio's data. Views, admin and commands call these; nothing else writes."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from . import roles
from .models import Company, Membership, User, normalise_email


@transaction.atomic
def assign_role(user: User, role: str) -> None:
    """Put `user` in the role's group; back-office roles also need Django's staff flag."""
    if role not in roles.ALL_ROLES:
        raise ValueError(f"Unknown role {role!r}; roles are {', '.join(roles.ALL_ROLES)}.")
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


@transaction.atomic
def add_member(company: Company, user: User, role: str = Membership.Role.MEMBER) -> Membership:
    membership, created = Membership.objects.get_or_create(
        company=company, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership
