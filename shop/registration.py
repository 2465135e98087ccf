"""Oscar's sign-up, landing on the client's "Mon compte" (booker's portal:account) rather than
on the generic after-login page: a new account's first stop is its details and preferences.
A sign-up on the way somewhere (a checkout's `next`) still goes there. Not a fork of
`customer`: the class comes through get_class and the route is taken before Oscar's in
booke/urls.py."""

from django.urls import reverse
from oscar.core.loading import get_class

from booker import services as booker

OscarRegistrationView = get_class("customer.views", "AccountRegistrationView")


class AccountRegistrationView(OscarRegistrationView):
    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        # The form posts it back in a hidden field; Oscar checks it is ours and resolvable.
        if not kwargs["initial"].get("redirect_url"):
            kwargs["initial"]["redirect_url"] = reverse("portal:account")
        return kwargs

    def register_user(self, form):
        user = super().register_user(form)
        # Someone who wrote to the studio or subscribed before signing up: their contact (and
        # its leads) become the new account's.
        booker.attach_account(form.instance)
        return user
