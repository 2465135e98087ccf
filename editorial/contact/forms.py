from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import HONEYPOT

# What the person agrees to, shown beside the box and stored word for word with the consent.
NEWSLETTER_CONSENT = _(
    "I agree to receive the Booké studio's newsletter (news, sessions on offer, at most one "
    "email a month) at this address. I can unsubscribe at any time through the link in each "
    "email."
)


class NewsletterForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        error_messages={"invalid": _("This email address is not valid.")},
    )
    consent = forms.BooleanField(
        label=NEWSLETTER_CONSENT,
        required=True,
        error_messages={"required": _("Tick the box to agree to receive the newsletter.")},
    )
    # The honeypot: hidden from people; a robot that fills it is "thanked" and ignored.
    site_web = forms.CharField(required=False, label=_("Leave this field empty"))

    def is_robot(self) -> bool:
        return bool(self.data.get(HONEYPOT))
