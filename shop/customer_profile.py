"""The shop's "edit profile" page, telling the studio's CRM when the address changes.

Oscar's page saves the account's email at once (and warns the old address); the person's CRM
contact must take the new address at the same moment, with their consents, as it does when the
address is changed from "Mon compte" or by the studio. Not a fork of `customer`: the class
comes through get_class and the route is taken before Oscar's in booke/urls.py."""

from __future__ import annotations

from django.http import HttpResponse
from oscar.core.loading import get_class

from booker import services as booker
from booker.models import User

OscarProfileUpdateView = get_class("customer.views", "ProfileUpdateView")


class ProfileUpdateView(OscarProfileUpdateView):
    def form_valid(self, form) -> HttpResponse:
        # The form's instance is the logged-in account, already holding the posted address:
        # the saved one is the database's.
        user = self.request.user
        before = User.objects.filter(pk=user.pk).values_list("email", flat=True).first()
        response = super().form_valid(form)
        user.refresh_from_db(fields=["email"])
        if user.email != before:
            booker.account_email_changed(user)
        return response
