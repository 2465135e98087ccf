import logging

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from booker import throttle
from booker.auth import LOGIN, login_throttled, remember_device
from booker.models import User, normalise_email

logger = logging.getLogger(__name__)

PASSWORD_RESET = "password_reset"


def login_wait_message(throttled: throttle.Throttled) -> str:
    minutes = throttled.minutes_left
    return ngettext(
        "Too many sign-in attempts. For your security, signing in is paused: try again in "
        "%(minutes)d minute, or reset your password.",
        "Too many sign-in attempts. For your security, signing in is paused: try again in "
        "%(minutes)d minutes, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


class EmailAuthenticationForm(AuthenticationForm):
    throttled: throttle.Throttled | None = None
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean(self):
        # Checked before the password, so that the right one is refused too while paused.
        self.throttled = login_throttled(self.request, self.cleaned_data.get("username"))
        if self.throttled is not None:
            raise ValidationError(login_wait_message(self.throttled), code="throttled")
        return super().clean()


class LoginView(auth_views.LoginView):
    """The one login page of the site, the shop, the portal and all three back offices."""

    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        remember_device(response, form.get_user().email)
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            logger.info("Sign-in paused (%s limit)", form.throttled.scope)
            response.status_code = 429
            response["Retry-After"] = str(max(1, form.throttled.seconds_left))
        return response


class ThrottledPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.request is not None and not self.errors:
            # Per IP: said plainly, it tells nothing about any account.
            throttled = throttle.check_for(self.request, PASSWORD_RESET)
            if throttled is not None:
                # On the field: the page shows the email's errors, beside what was typed.
                self.add_error("email", ValidationError(throttled.message, code="throttled"))
        return cleaned

    def get_users(self, email):
        """Django leaves out accounts without a usable password; here those are clients the
        studio invited (`services.invite_client`) who never used their link: "forgot my
        password" is how they get a new one. Proving the mailbox is all a reset ever asked."""
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if user.email.casefold() == email.casefold()
        )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with at most a few emails per address and per IP in an hour. Past the
    address's limit nothing is sent and the page is the same as for any address, known or
    not: the answer never tells whether an account exists."""

    form_class = ThrottledPasswordResetForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("email", "throttled"):
            response.status_code = 429
        return response

    def form_valid(self, form):
        email = normalise_email(form.cleaned_data["email"])
        throttled = throttle.attempt_for(self.request, PASSWORD_RESET, email)
        if throttled is not None:
            logger.info("Password reset not sent (%s limit)", throttled.scope)
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever holds the mailbox may sign in at once, whatever a guesser did meanwhile.
        throttle.reset(LOGIN, form.user.email)
        return response
