from django import forms
from django.utils.translation import gettext_lazy as _

# What every code field asks of the browser: the phone offers the code it just received.
CODE_FIELD = {"autofocus": True, "autocomplete": "one-time-code", "class": "otp-code"}


class CodeForm(forms.Form):
    # Letters too: a recovery code is typed here as well.
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={**CODE_FIELD, "autocapitalize": "none", "spellcheck": "false",
                   "inputmode": "text"}
        ),
    )


class AppCodeForm(CodeForm):
    """The enrolment's confirmation: only the app's 6 digits, so phones show the digit pad."""

    code = forms.CharField(
        label=_("Code shown by the app"),
        max_length=16,
        widget=forms.TextInput(attrs={**CODE_FIELD, "inputmode": "numeric"}),
    )
