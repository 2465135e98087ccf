from __future__ import annotations

from django.db.models import QuerySet

from booker.models import (
    Membership,
    User,
)
from booker.roles import PHOTOGRAPHER, RETOUCHER


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("company").order_by("company__name")


def role_names(user: User) -> frozenset[str]:
    """The studio roles (groups) `user` holds, read once per user object, as Django caches
    permissions: the admin asks several times a page."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_booker_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._booker_role_names = cached
    return cached


def runs_the_studio(user: User) -> bool:
    """Photographers (and superusers) run the sessions they see (`studio_sessions`: all, or
    those they shoot); the rest of the back office (retouchers) sees only the work given to
    them."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or PHOTOGRAPHER in role_names(user)


def confirms_old_password(user: User) -> bool:
    """Whether changing one's password asks for the current one: yes for a person who has one;
    one who never chose any (a client invited who has not followed the link yet) sets it."""
    return user.has_usable_password()


def retouchers() -> QuerySet[User]:
    """Who a job can be given to: active members of the Retoucher group."""

    return User.objects.filter(is_active=True, groups__name=RETOUCHER).order_by(
        "first_name", "last_name", "email"
    )
