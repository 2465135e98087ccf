"""Oscar's customer pages with the studio's rule on accounts (`booker.roles`): a role that may
see customers may switch a client's account on or off and send a client the password-reset
email; a staff member's account, the administrator's only (Oscar spares superusers alone)."""

from django.contrib import messages
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.users import views

from booker import roles


class IndexView(views.IndexView):
    def _change_users_active_status(self, users, value):
        allowed = [user for user in users if roles.may_edit_account(self.request.user, user)]
        if len(allowed) < len(users):
            messages.warning(
                self.request,
                _("Staff accounts were left as they are: only an administrator changes them."),
            )
        return super()._change_users_active_status(allowed, value)


class PasswordResetView(views.PasswordResetView):
    def get_object(self, queryset=None):
        user = super().get_object(queryset)
        if not roles.may_edit_account(self.request.user, user):
            raise Http404
        return user
