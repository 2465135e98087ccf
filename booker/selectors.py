"""Reads of the studio's data, always scoped to who is asking."""

from django.db.models import QuerySet

from .models import Membership, User


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("company").order_by("company__name")
