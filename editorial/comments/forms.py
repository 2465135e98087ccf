"""The public comment form. Name and email are asked of visitors only: a logged-in reader's
come from their account."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BODY_MAX_LENGTH

HONEYPOT_FIELD = "website"


class CommentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    email = forms.EmailField(
        label=_("Email"), help_text=_("Never published. Used only to tell you of replies.")
    )
    body = forms.CharField(
        label=_("Your comment"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a few words before sending.")},
    )
    notify_replies = forms.BooleanField(label=_("Email me replies"), required=False, initial=True)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Hidden from people by CSS; bots that fill every field give themselves away.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None and user.is_authenticated:
            del self.fields["name"]
            del self.fields["email"]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write a few words before sending."))
        return body
