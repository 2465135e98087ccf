"""The superuser's reset of a person's second factor, as an action of the user list."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services


@admin.action(permissions=["reset_second_factor"], description=_("Reset the second factor"))
def reset_second_factor(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    reset = 0
    for user in queryset:
        if services.reset_second_factor(request.user, user):
            modeladmin.log_change(request, user, "Second factor reset: enrols again at next login.")
            reset += 1
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d person will set up their second factor again at their next login.",
            "%(count)d people will set up their second factor again at their next login.",
            reset,
        )
        % {"count": reset},
        messages.SUCCESS,
    )


class SecondFactorResetMixin:
    """For the user admin: the reset action, offered to superusers only."""

    actions = [reset_second_factor]

    def has_reset_second_factor_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)
