"""The shop's "edit profile" page, without the email address.

Oscar's page saves a new email at once, unconfirmed; "Mon compte" (booker's portal) changes it
only once a link sent to the new address is followed, and moves the person's CRM contact and
consents with it. An address is a login and where receipts and the studio's news go: one way
to change it, the confirmed one. Not a fork of `customer`: the class comes through get_class and
the route is taken before Oscar's in booke/urls.py."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from oscar.core.loading import get_class

OscarProfileUpdateView = get_class("customer.views", "ProfileUpdateView")


class ProfileUpdateView(OscarProfileUpdateView):
    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        email = form.fields.get("email")
        if email is not None:
            # A disabled field keeps the saved value whatever is posted.
            email.disabled = True
            # Oscar's field partial prints help texts as HTML: escaped here, the link kept.
            email.help_text = format_html(
                '{} <a href="{}">{}</a>',
                gettext("It changes once you follow the link sent to the new address:"),
                reverse("portal:account"), gettext("change it in My account"))
        return form
