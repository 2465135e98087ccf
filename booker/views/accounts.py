import logging
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from booker import selectors, services, throttle
from booker.auth import LOGIN, login_throttled, remember_device
from booker.automation.unsubscribe import read_token
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

    def save(self, *args, **kwargs):
        # The link in the email is on the site's public address (SITE_URL), like every other
        # link we send, not on whatever host the request came through.
        site = urlsplit(settings.SITE_URL)
        kwargs.update(domain_override=site.netloc, use_https=site.scheme == "https")
        return super().save(*args, **kwargs)

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
    # Our email (text, HTML, subject); `_send_password_reset` sends the same one.
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"

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


# --- The invitation: a new client chooses their password ---------------------------------------

INVITATION = "invitation"


def _landing(invitation) -> str:
    if invitation.session_id:
        return reverse("portal:session", args=[invitation.session_id])
    return reverse("portal:home")


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the invitation email. A working link asks for a password, then signs the
    client in and opens their session; a dead one says why and offers a fresh link, mailed to
    the invitation's own address only (the page never asks for one: no account is revealed)."""
    link = services.read_invitation(token)
    if request.method == "POST" and "new_link" in request.POST:
        return _send_new_link(request, link)
    if link.state != "pending":
        return _dead_link(request, link)
    invitation = link.invitation
    # Django's "choose a password" form, with its validators (AUTH_PASSWORD_VALIDATORS).
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST":
        throttled = throttle.attempt_for(request, INVITATION, f"invitation:{invitation.pk}")
        if throttled is not None:
            return throttle.refused(request, throttled)
        if form.is_valid():
            try:
                user = services.accept_invitation(token, form.cleaned_data["new_password1"])
            except services.InvitationRefused as refused:
                return _dead_link(request, services.InvitationLink(invitation, refused.reason))
            except ValidationError as error:
                form.add_error("new_password1", error)
            else:
                throttle.reset(LOGIN, user.email)
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
                messages.success(request, _("Welcome! Your password is set."))
                return redirect(_landing(invitation))
    return render(request, "registration/invitation_accept.html",
                  {"form": form, "invitation": invitation, "session": invitation.session})


def _dead_link(request: HttpRequest, link, *, sent: bool = False) -> HttpResponse:
    return render(request, "registration/invitation_dead.html", {
        "state": link.state, "invitation": link.invitation, "sent": sent,
        # A fresh link for a link that ran out or was replaced, a password-reset link for one
        # already used; none for a revoked one (the studio's decision: the client asks it).
        "can_renew": link.state in RENEWABLE,
    })


RENEWABLE = ("expired", "replaced", "used")


def _send_new_link(request: HttpRequest, link) -> HttpResponse:
    """Mails the invitation's own address, never one typed here: the page reveals nothing."""
    if link.invitation is None or link.state not in RENEWABLE:
        return _dead_link(request, link)
    throttled = throttle.attempt_for(request, INVITATION, f"invitation:{link.invitation.pk}")
    if throttled is not None:
        return throttle.refused(request, throttled)
    if link.state == "used":
        _send_password_reset(request, link.invitation.user)
        return _dead_link(request, link, sent=True)
    try:
        services.resend_invitation(link.invitation)
    except services.StudioError:
        return _dead_link(request, link)
    return _dead_link(request, link, sent=True)


def _send_password_reset(request: HttpRequest, user: User) -> None:
    """The password-reset email of `PasswordResetView`, to the account's address, within the
    same per-address limit."""
    if throttle.attempt_for(request, PASSWORD_RESET, user.email) is not None:
        return
    form = ThrottledPasswordResetForm({"email": user.email})
    if form.is_valid():
        form.save(
            request=request, use_https=request.is_secure(),
            email_template_name=PasswordResetView.email_template_name,
            html_email_template_name=PasswordResetView.html_email_template_name,
            subject_template_name=PasswordResetView.subject_template_name,
        )


# --- One-click unsubscribe (List-Unsubscribe, RFC 8058) -----------------------------------------


@csrf_exempt  # checked below, except for the RFC 8058 one-click POST (a mail client, no cookie)
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET only asks (mailbox link scanners open links); POST turns the mail off: reminders
    (User.reminder_emails) or marketing (the newsletter consent withdrawn)."""
    found = read_token(token)
    if found is None:
        return render(request, "booker/unsubscribe.html", {"state": "invalid"})
    email, kind = found
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        if not one_click:
            reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if reason is not None:
                return reason
        if kind == "reminder":
            # The link of an email sent before its reader changed address still works.
            services.stop_reminder_emails(selectors.address_now(email))
        else:
            services.withdraw_marketing(email)
        return render(request, "booker/unsubscribe.html", {"state": "done", "kind": kind})
    return render(request, "booker/unsubscribe.html",
                  {"state": "ask", "kind": kind, "email": email})
