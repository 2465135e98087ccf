""""Mon compte" (/portal/compte/): a person's name and phone, their email address (changed once
the new address confirms it), password, which emails they get, and the shop's pages for their
addresses and orders (registered by the shop: booker/links.py).

Each section is its own form, posted with its name in `section`; every change goes through
booker.services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from booker import selectors, services, throttle
from booker.http import client_ip
from booker.mail import absolute_url
from booker.models import User

# The studio's current wording, kept with the CRM (staff recording a consent are offered it).
NEWSLETTER_CONSENT = services.NEWSLETTER_CONSENT


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone"]


class EmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("New email address"))


class PreferencesForm(forms.Form):
    reminder_emails = forms.BooleanField(
        required=False,
        label=gettext_lazy("Reminders and review requests by email"),
        help_text=gettext_lazy("Messages about your sessions and orders always reach you."))


PHOTO_USE_CONSENT = services.PHOTO_USE_CONSENT


class MarketingForm(forms.Form):
    newsletter = forms.BooleanField(required=False, label=NEWSLETTER_CONSENT)


class PhotoUseForm(forms.Form):
    photo_use = forms.BooleanField(required=False, label=PHOTO_USE_CONSENT)


def _newsletter_links(request: HttpRequest):
    """The site's confirmation page for the newsletter, if the site is mounted (the Booker
    names it without importing it); None hides the subscription."""
    try:
        reverse("newsletter-confirm", args=["x"])
    except NoReverseMatch:
        return None
    return (
        lambda token: absolute_url(reverse("newsletter-confirm", args=[token])),
        lambda _token: services.unsubscribe_url(request.user.email, "marketing"),
    )


def _password_form(user: User, data=None):
    form_class = PasswordChangeForm if selectors.confirms_old_password(user) else SetPasswordForm
    form = form_class(user, data)
    # One page of several forms: the focus would jump to the password, halfway down a phone.
    for field in form.fields.values():
        field.widget.attrs.pop("autofocus", None)
    return form


@never_cache
@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    section = request.POST.get("section", "") if request.method == "POST" else ""
    data = request.POST if section else None
    status = selectors.newsletter_status(user.email)
    # A company's member gets the studio's offers by legitimate interest until they opt out.
    b2b = selectors.is_company_member(user)
    receives = bool(status) or (b2b and selectors.may_receive_marketing(user.email, b2b=True))
    forms_ = {
        "profile": ProfileForm(data if section == "profile" else None, instance=user),
        "email": EmailForm(data if section == "email" else None),
        "password": _password_form(user, data if section == "password" else None),
        "preferences": PreferencesForm(data if section == "preferences" else None,
                                       initial={"reminder_emails": user.reminder_emails}),
        "marketing": MarketingForm(data if section == "marketing" else None,
                                   initial={"newsletter": receives}),
        "photo_use": PhotoUseForm(data if section == "photo_use" else None,
                                  initial={"photo_use":
                                           selectors.photo_use_granted(user.email)}),
    }
    form = forms_.get(section)
    if form is not None and form.is_valid():
        done = _save(request, section, form)
        if done:
            return redirect(reverse("portal:account") + f"#{section}")
    return render(request, "booker/portal/account.html", {
        "forms": forms_, "newsletter_pending": status == "pending",
        "newsletter_available": _newsletter_links(request) is not None,
    }, status=400 if form is not None and form.errors else 200)


def _save(request: HttpRequest, section: str, form) -> bool:
    user = request.user
    if section == "profile":
        services.update_profile(user, **{k: form.cleaned_data[k]
                                         for k in ("first_name", "last_name", "phone")})
        messages.success(request, _("Your details are saved."))
    elif section == "email":
        # Each request mails an address the person typed: limited like the invitations.
        throttled = throttle.attempt_for(request, "email_change", user.email)
        if throttled is not None:
            form.add_error("email", throttled.message)
            return False
        try:
            new = services.request_email_change(user, form.cleaned_data["email"])
        except services.StudioError as error:
            form.add_error("email", str(error))
            return False
        messages.info(request, _("We sent a link to %(email)s: your address changes once you "
                                 "follow it.") % {"email": new})
    elif section == "password":
        services.change_password(user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is changed."))
    elif section == "preferences":
        services.set_reminder_emails(user, form.cleaned_data["reminder_emails"])
        messages.success(request, _("Your preferences are saved."))
    elif section == "marketing":
        try:
            done = services.set_newsletter(
                user.email, form.cleaned_data["newsletter"],
                consent_text=str(NEWSLETTER_CONSENT), links=_newsletter_links(request),
                ip=client_ip(request), source_url=absolute_url(request.get_full_path()),
                b2b=selectors.is_company_member(user))
        except services.TooManyRequests:
            messages.error(request, _("Too many attempts in a short time. Please try "
                                      "again later."))
            return True
        if done == services.NEWSLETTER_REQUESTED:
            messages.info(request, _("Confirm your subscription with the link we just sent "
                                     "you."))
        elif done == services.NEWSLETTER_WITHDRAWN:
            messages.success(request, _("You will no longer receive the studio's news and "
                                        "offers by email."))
    elif section == "photo_use":
        wanted = form.cleaned_data["photo_use"]
        if services.set_photo_use(user.email, wanted,
                                  consent_text=str(PHOTO_USE_CONSENT), ip=client_ip(request),
                                  source_url=absolute_url(request.get_full_path())):
            messages.success(request, _(
                "Thank you: the studio may show photos of you on its site and in its "
                "portfolio.") if wanted else _(
                "The studio will no longer show photos of you on its site and in its "
                "portfolio."))
    return True


@never_cache
@require_GET
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to a new address: the account takes it (no login needed: the link
    proves the mailbox, and it names the account and the address it replaces)."""
    try:
        user = services.confirm_email_change(token)
    except services.StudioError as error:
        return render(request, "booker/portal/email_confirm.html", {"error": str(error)})
    if request.user.is_authenticated and request.user.pk == user.pk:
        messages.success(request, _("Your email address is now %(email)s.")
                         % {"email": user.email})
        return redirect("portal:account")
    return render(request, "booker/portal/email_confirm.html", {"email": user.email})
