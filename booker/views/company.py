"""The company's space on the team portal (/portal/entreprise/<slug>/): its dashboard, its
team, its activity log; and the page of a team invitation's link (/accounts/equipe/<token>/).

Thin views: every page asks `teams.selectors.company_for` first (a 404 for anyone who is not a
member, at every request), the writes go through `teams.services`, and a refused write
(StudioError) becomes a message."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from booker import throttle
from booker.auth import LOGIN
from booker.errors import StudioError
from booker.models import Membership, TeamInvitation
from booker.teams import selectors, services

ACTIVITY_PAGE = 50


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"),
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Membership.Role.choices,
                             initial=Membership.Role.MEMBER)


def _space(request: HttpRequest, slug: str):
    company, membership = selectors.company_for(request.user, slug)
    return company, membership, {
        "company": company, "membership": membership, "acting_company": company,
        "is_admin": selectors.is_admin(membership),
    }


@login_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    company, membership, context = _space(request, slug)
    context["board"] = selectors.dashboard(company, request.user)
    return render(request, "booker/company/dashboard.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, slug: str) -> HttpResponse:
    """Everyone in the team sees who is in it; admins invite from here."""
    company, membership, context = _space(request, slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not selectors.may_invite(membership):
            raise Http404("Not an admin.")
        if form.is_valid():
            try:
                services.invite_member(company, form.cleaned_data["email"],
                                       form.cleaned_data["role"], actor=request.user)
            except StudioError as exc:
                form.add_error("email", str(exc))
            else:
                messages.success(request, _("Invitation sent to %(email)s.")
                                 % {"email": form.cleaned_data["email"]})
                return redirect("portal:company:team", slug=company.slug)
    context.update(
        members=selectors.members(company),
        invitations=selectors.pending_invitations(company) if context["is_admin"] else [],
        form=form,
        roles=Membership.Role.choices,
    )
    return render(request, "booker/company/team.html", context)


@login_required
@require_POST
def member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An admin changes a member's role (action "role") or removes them (action "remove")."""
    company, membership, _context = _space(request, slug)
    if not selectors.may_change_roles(membership):
        raise Http404("Not an admin.")
    target = Membership.objects.filter(company=company, pk=pk).select_related("user").first()
    if target is None:
        raise Http404("No such member.")
    try:
        if request.POST.get("action") == "remove":
            services.remove_member(target, actor=request.user)
            messages.success(request, _("%(name)s no longer belongs to the team.")
                             % {"name": target.user})
        else:
            services.change_role(target, request.POST.get("role", ""), actor=request.user)
            messages.success(request, _("Role changed."))
    except StudioError as exc:
        messages.error(request, str(exc))
    if target.user_id == request.user.pk and selectors.membership_in(request.user,
                                                                      company) is None:
        return redirect("portal:home")
    return redirect("portal:company:team", slug=company.slug)


@login_required
@require_POST
def invitation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An admin sends an invitation again (action "resend") or revokes it ("revoke")."""
    company, membership, _context = _space(request, slug)
    if not selectors.may_invite(membership):
        raise Http404("Not an admin.")
    found = TeamInvitation.objects.filter(company=company, pk=pk).first()
    if found is None:
        raise Http404("No such invitation.")
    try:
        if request.POST.get("action") == "revoke":
            services.revoke_invitation(found, actor=request.user)
            messages.success(request, _("Invitation revoked."))
        else:
            services.resend_invitation(found, actor=request.user)
            messages.success(request, _("Invitation sent again to %(email)s.")
                             % {"email": found.email})
    except StudioError as exc:
        messages.error(request, str(exc))
    return redirect("portal:company:team", slug=company.slug)


@login_required
def activity(request: HttpRequest, slug: str) -> HttpResponse:
    company, membership, context = _space(request, slug)
    if not selectors.may_see_activity(membership):
        raise Http404("Not an admin.")
    page = Paginator(selectors.activity(company), ACTIVITY_PAGE).get_page(request.GET.get("page"))
    context["page"] = page
    return render(request, "booker/company/activity.html", context)


# --- The invitation's link -----------------------------------------------------------------------


class JoinForm(SetPasswordForm):
    """A newcomer's name and password (Django's "choose a password", its validators)."""

    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150,
                                 required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150,
                                required=False)
    field_order = ["first_name", "last_name", "new_password1", "new_password2"]


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """A working link: a signed-in person of that address joins with one click; a newcomer
    chooses a password (their one login is opened); someone whose account exists signs in
    first. A dead link says why."""
    link = services.read_invitation(token)
    if link.state != "pending":
        return _dead(request, link.state, link.invitation)
    invitation = link.invitation
    user = request.user
    context = {"invitation": invitation, "company": invitation.company,
               "role": invitation.get_role_display()}
    if user.is_authenticated:
        if user.email != invitation.email:
            return _dead(request, "other_account", invitation)
        if request.method == "POST":
            try:
                services.accept_as(token, user)
            except services.InvitationRefused as refused:
                return _dead(request, refused.reason, invitation)
            return _welcome(request, invitation)
        return render(request, "booker/company/join.html", context)
    existing = link.existing_user
    if existing is not None and existing.has_usable_password():
        context["login_url"] = f"{reverse('login')}?next={request.path}"
        return render(request, "booker/company/join.html", context)
    form = JoinForm(existing or _Newcomer(invitation.email), request.POST or None)
    if request.method == "POST":
        throttled = throttle.attempt_for(request, "invitation", f"team:{invitation.pk}")
        if throttled is not None:
            return throttle.refused(request, throttled)
        if form.is_valid():
            try:
                new_user = services.accept_new(
                    token, form.cleaned_data["new_password1"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"])
            except services.InvitationRefused as refused:
                return _dead(request, refused.reason, invitation)
            except ValidationError as error:
                form.add_error("new_password1", error)
            else:
                throttle.reset(LOGIN, new_user.email)
                login(request, new_user, backend=settings.AUTHENTICATION_BACKENDS[0])
                return _welcome(request, invitation)
    context["form"] = form
    return render(request, "booker/company/join.html", context)


class _Newcomer:
    """What Django's password validators read of a person not yet saved."""

    def __init__(self, email: str) -> None:
        self.email = email
        self.first_name = self.last_name = ""

    def set_password(self, raw: str) -> None:  # SetPasswordForm.save is never called here
        raise NotImplementedError


def _welcome(request: HttpRequest, invitation: TeamInvitation) -> HttpResponse:
    messages.success(request, _("Welcome to the team of %(company)s.")
                     % {"company": invitation.company.name})
    return redirect("portal:company:dashboard", slug=invitation.company.slug)


def _dead(request: HttpRequest, state: str, invitation: TeamInvitation | None) -> HttpResponse:
    return render(request, "booker/company/join_dead.html",
                  {"state": state, "invitation": invitation}, status=200)
