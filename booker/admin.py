"""The studio's back office: Django's admin at /admin/, shaped around the photographer's day
(book → upload rushes → publish proofs → read the picks → retouch → deliver).

The admin is thin: every button calls one function of `booker.services` and turns its
`StudioError` into a message; what each person sees comes from `booker.selectors`.
Photographers (and superusers) run every session; retouchers see only their own jobs."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from booker import company_privacy, erasure, privacy, roles, selectors, services
from booker.archive import services as archive
from booker.automation.admin import UserMessagesInline  # also registers the engine's admin
from booker.booking import admin as booking_admin  # noqa: F401  (registers the booking admin)
from booker.booking import selectors as booking_selectors
from booker.crm import admin as crm_admin  # noqa: F401  (contacts, their notes and tasks)
from booker.delivery import admin as delivery_admin  # noqa: F401  (the photo tags)
from booker.marketing import admin as marketing_admin  # noqa: F401  (segments, campaigns)
from booker.people import personal_data
from booker.views import calendars, curation, retouch_kit, retouch_review, studio
from booker.views.studio import (
    BACKOFFICE_CSS,
    BACKOFFICE_JS,
    BACKOFFICE_MEDIA,
    ReasonForm,
    badge,
    js_strings,
    rush_thumb_url,
)
from booker.webhooks import admin as webhooks_admin  # noqa: F401  (endpoints, deliveries)

from .models import (
    Company,
    Invitation,
    MarketingConsent,
    Membership,
    Package,
    PersonalDataErasure,
    PhotoSession,
    RetouchJob,
    Rush,
    TeamInvitation,
    User,
    normalise_email,
)
from .twofactor.admin import SecondFactorResetMixin

admin.site.site_header = _("Booké — studio")
admin.site.site_title = _("Booké studio")
admin.site.index_title = _("Back office")
# The index opens with the studio's shortcuts (sessions, my jobs) above Django's app list.
admin.site.index_template = "admin/booker/index.html"

Status = PhotoSession.Status
JobStatus = RetouchJob.Status


# --- Helpers shared by the studio pages ---------------------------------------------------------


class StudioAdminMixin:
    """Permission shortcuts shared by the studio's ModelAdmins."""

    def _page(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """A studio page (booker/views/studio.py) served by this ModelAdmin."""

        def page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return view(self, request, *args, **kwargs)

        return update_wrapper(page, view)

    def has_studio_permission(self, request: HttpRequest) -> bool:
        """Used by `@admin.action(permissions=["studio"])`: photographers' actions."""
        return selectors.runs_the_studio(request.user)

    def studio_context(self, request: HttpRequest, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "backoffice_media": BACKOFFICE_MEDIA,
            "js_strings": js_strings(),
            **extra,
        }


# --- People -----------------------------------------------------------------------------------


class InviteClientForm(forms.ModelForm):
    """A new client's details, and nothing else: the studio never types a client's password.
    Saving opens the account with an unusable password and emails a link to choose one
    (`services.invite_client`)."""

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "phone"]

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account already exists for this email address."))
        return email


def personal_data_download(content: str | bytes, filename: str) -> HttpResponse:
    """A GDPR export handed to the studio as a JSON file, never kept by a cache."""
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class ErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm: erase this person's data and delete the files of their sessions "
                "from every storage, originals and archive included. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


def erasure_started(record: PersonalDataErasure) -> str:
    """The message once an erasure is queued: where its result will show."""
    url = reverse("admin:booker_personaldataerasure_change", args=[record.pk])
    return format_html(
        "{} <a href=\"{}\">{}</a>",
        gettext("Erasure started: the worker deletes the files, then the data. You will see "
                "the result on its record."), url, gettext("See the erasure record"))


# What a role (not a superuser) sees of an account: the profile, never the rights.
PROFILE_FIELDSETS = (
    (None, {"fields": ("email", "invitation")}),
    (_("Personal info"), {"fields": ("first_name", "last_name", "phone")}),
    (_("Important dates"), {"fields": ("last_login", "date_joined")}),
)
INVITE_FIELDSETS = (
    (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "phone")}),
)


@admin.register(User)
class UserAdmin(SecondFactorResetMixin, DjangoUserAdmin):
    """Superusers manage everything here. A role with the user permissions (Photographer)
    invites clients and edits their profile; a staff member's account, its own included, is
    read-only to it and its password page refused (`roles.may_edit_account`)."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "invitation")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "phone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = [*SecondFactorResetMixin.actions, "export_personal_data", "erase_personal_data"]

    def has_personal_data_permission(self, request: HttpRequest) -> bool:
        # Whoever runs the studio answers a person's request for their data (GDPR).
        return selectors.runs_the_studio(request.user)

    @admin.action(description=_("Export personal data (GDPR, JSON file)"),
                  permissions=["personal_data"])
    def export_personal_data(self, request: HttpRequest, queryset: QuerySet[User]):
        """Everything the studio holds about one person, as a JSON file to hand them
        (booker.people.personal_data: the Booker's sections and the shop's)."""
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(request, gettext("Choose one person at a time to export their "
                                               "data."), messages.WARNING)
            return None
        person = people[0]
        # A staff member's account is a superuser's business, as its profile is.
        if not roles.may_edit_account(request.user, person):
            self.message_user(request, gettext("Only a superuser exports the data of a staff "
                                               "member's account."), messages.ERROR)
            return None
        response = personal_data_download(personal_data.export_json(person),
                                          personal_data.filename(person))
        # Who handed out whose data, and when: the account's history says so.
        self.log_change(request, person, gettext("Personal data exported (GDPR)."))
        return response

    @admin.action(description=_("Erase personal data (GDPR)…"), permissions=["personal_data"])
    def erase_personal_data(self, request: HttpRequest, queryset: QuerySet[User]):
        """A person's right to be forgotten: a page lists what goes, what stays and how many
        files; nothing happens until the studio ticks that the files go too
        (booker.privacy.erase_person)."""
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(request, gettext("Choose one person at a time to erase their "
                                               "data."), messages.WARNING)
            return None
        person = people[0]
        if not privacy.may_erase(request.user, person):
            self.message_user(request, gettext("Only a superuser erases the data of a staff "
                                               "member's account, and nobody their own."),
                              messages.ERROR)
            return None
        form = ErasureForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                record = erasure.request_person(person, actor=request.user,
                                                files_confirmed=form.cleaned_data["confirm"])
            except services.StudioError as refused:
                self.message_user(request, str(refused), messages.ERROR)
                return None
            # The account's history keeps who erased it and when, nothing of what it held.
            self.log_change(request, person, gettext("Personal data erasure started (GDPR)."))
            self.message_user(request, erasure_started(record), messages.SUCCESS)
            return None
        counts = personal_data.summary(person)
        return TemplateResponse(request, "admin/booker/user/erase_confirm.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Erase this person's data?"),
            "person": person,
            "erased": person,
            "erase_action": "erase_personal_data",
            "form": form,
            "sections": [(personal_data.label(name), n) for name, n in counts.items() if n],
            "files": privacy.file_counts(person),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        })

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None):
        if roles.grants_rights(request.user):
            return super().get_fieldsets(request, obj)
        return INVITE_FIELDSETS if obj is None else PROFILE_FIELDSETS

    def get_inlines(self, request: HttpRequest, obj: User | None = None):
        # What the studio's automation sent this person, below their account (read only).
        return [UserMessagesInline] if obj is not None else []

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        if roles.grants_rights(request.user):
            return (*super().get_readonly_fields(request, obj), "invitation")
        return ("last_login", "date_joined", "invitation")

    @admin.display(description=_("invitation"))
    def invitation(self, obj: User) -> str:
        """Where the client's invitation stands, with the page to resend or revoke it."""
        invitation = obj.invitations.order_by("-pk").first() if obj.pk else None
        if invitation is None:
            return "—"
        url = reverse("admin:booker_invitation_changelist") + f"?user__id__exact={obj.pk}"
        return format_html('{} <a href="{}">{}</a>', invitation_badge(invitation), url,
                           gettext("Resend or revoke…"))

    def get_form(self, request: HttpRequest, obj: User | None = None, **kwargs):
        # The form is built from the fieldsets above, so a posted `is_superuser` or `groups`
        # has no field to land in; the add form is the invitation for a role.
        if obj is None and not roles.grants_rights(request.user):
            kwargs["form"] = InviteClientForm
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and not roles.may_edit_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and not roles.may_edit_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = ""):
        # Nobody but a superuser types a password for someone else: clients choose theirs
        # from the invitation or the password-reset email.
        if not roles.grants_rights(request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def render_change_form(self, request: HttpRequest, context, add=False, change=False,
                           form_url="", obj=None):
        if add and not roles.grants_rights(request.user):
            context["title"] = _("Invite a client")
        context["may_erase"] = obj is not None and privacy.may_erase(request.user, obj)
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if add and not roles.grants_rights(request.user):
            # Django's add page speaks of passwords; a role's is an invitation.
            response.template_name = "admin/booker/user/invite_form.html"
        return response

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        if change or roles.grants_rights(request.user):
            super().save_model(request, obj, form, change)
            if change and "email" in form.changed_data:
                # The person's CRM contact, and their consents with it, take the address now.
                services.account_email_changed(obj)
            return None
        invited = services.invite_client(
            obj.email, first_name=obj.first_name, last_name=obj.last_name, phone=obj.phone,
            invited_by=request.user,
        )
        # The admin goes on with `obj` (history entry, redirect): make it the saved account.
        obj.pk, obj.password, obj._state.adding, obj._state.db = (
            invited.pk, invited.password, False, invited._state.db
        )
        messages.info(
            request,
            gettext("%(email)s will receive an email to choose their password.")
            % {"email": invited.email},
        )


def invitation_badge(invitation: Invitation | None) -> str:
    if invitation is None:
        return "—"
    return badge("invitation", invitation.state, invitation.get_state_display())


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """The invitations the studio sent new clients: where each stands, and a fresh link (the
    old one dies) or a revocation. Rows are made by inviting, never typed here."""

    list_display = ["user", "session", "state_badge", "sent_at", "expires_at", "invited_by"]
    list_select_related = ["user", "session", "invited_by"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_filter = [("used_at", admin.EmptyFieldListFilter),
                   ("revoked_at", admin.EmptyFieldListFilter)]
    fields = ["user", "session", "state_badge", "invited_by", "created_at", "sent_at",
              "expires_at", "used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["resend", "revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("status"))
    def state_badge(self, obj: Invitation) -> str:
        return invitation_badge(obj)

    def _each(self, request, queryset, do, done) -> None:
        count = 0
        for invitation in queryset.select_related("user"):
            try:
                do(invitation)
            except services.StudioError as exc:
                self.message_user(request, gettext("%(item)s: %(error)s")
                                  % {"item": invitation, "error": exc}, messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done(count), messages.SUCCESS)

    @admin.action(description=_("Send a new link (the previous one stops working)"),
                  permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        self._each(request, queryset,
                   lambda i: services.resend_invitation(i, actor=request.user),
                   lambda n: ngettext("A new link was sent for %(n)d invitation.",
                                      "New links were sent for %(n)d invitations.", n)
                   % {"n": n})

    @admin.action(description=_("Revoke (the link stops working)"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        self._each(request, queryset,
                   lambda i: services.revoke_invitation(i, actor=request.user),
                   lambda n: ngettext("%(n)d invitation revoked.",
                                      "%(n)d invitations revoked.", n) % {"n": n})


class MembershipForm(forms.ModelForm):
    """A company membership row. Putting a staff account in a company (or changing its place
    there) would give a role a client's powers over that company: superusers only."""

    actor: User | None = None

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        touched = {"user", "role"} & set(self.changed_data)
        if user is not None and touched and not roles.may_edit_account(self.actor, user):
            raise forms.ValidationError(
                _("Only an administrator can put a staff account in a company.")
            )
        return cleaned


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 1
    autocomplete_fields = ["user"]

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"actor": request.user})
        return formset


class TeamInvitationInline(admin.TabularInline):
    """The invitations the company's admins sent from the portal (booker.teams): read here,
    written there (the studio adds members in the inline above)."""

    model = TeamInvitation
    extra = 0
    can_delete = False
    fields = ["email", "role", "invited_by", "sent_at", "expires_at", "used_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class CompanyErasureForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Also erase these people"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only members who belong to no other company. Each gets an erasure of "
                    "their own, as from the user list."))
    confirm = forms.BooleanField(
        label=_("I confirm: erase this company's data and delete the files of its sessions "
                "from every storage, originals and archive included. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )

    def __init__(self, *args, members: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        field.queryset = User.objects.filter(pk__in=[m.pk for m in members]).order_by("email")
        field.label_from_instance = lambda user: (
            f"{user.email} — {user.get_full_name()}" if user.get_full_name() else user.email)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "siret", "billing_email", "pays_on_invoice"]
    search_fields = ["name", "legal_name", "siret"]
    inlines = [MembershipInline, TeamInvitationInline]
    actions = ["export_company_data", "erase_company_data"]

    def has_company_data_permission(self, request: HttpRequest) -> bool:
        # Whoever runs the studio answers a company's request for its data (GDPR).
        return erasure.may_erase_company(request.user)

    @admin.action(description=_("Export the company's data (GDPR, JSON file)"),
                  permissions=["company_data"])
    def export_company_data(self, request: HttpRequest, queryset: QuerySet[Company]):
        companies = list(queryset[:2])
        if len(companies) != 1:
            self.message_user(request, gettext("Choose one company at a time."),
                              messages.WARNING)
            return None
        company = companies[0]
        response = personal_data_download(personal_data.export_company_json(company),
                                          personal_data.company_filename(company))
        self.log_change(request, company, gettext("Company data exported (GDPR)."))
        return response

    @admin.action(description=_("Erase the company's data (GDPR)…"),
                  permissions=["company_data"])
    def erase_company_data(self, request: HttpRequest, queryset: QuerySet[Company]):
        """A company's request, or the end of a B2B relation: a page lists what goes, what
        stays, the files and the members; the worker erases once the studio confirmed
        (booker.erasure.request_company)."""
        companies = list(queryset[:2])
        if len(companies) != 1:
            self.message_user(request, gettext("Choose one company at a time."),
                              messages.WARNING)
            return None
        company = companies[0]
        erasable = erasure.erasable_members(company, request.user)
        form = CompanyErasureForm(request.POST if "apply" in request.POST else None,
                                  members=erasable)
        if form.is_bound and form.is_valid():
            try:
                record = erasure.request_company(
                    company, actor=request.user, files_confirmed=form.cleaned_data["confirm"],
                    members=form.cleaned_data["members"])
            except services.StudioError as refused:
                self.message_user(request, str(refused), messages.ERROR)
                return None
            self.log_change(request, company, gettext("Company data erasure started (GDPR)."))
            self.message_user(request, erasure_started(record), messages.SUCCESS)
            return None
        kept = [m for m in company.memberships.select_related("user").order_by("user__email")
                if m.user_id not in {u.pk for u in erasable}]
        counts = personal_data.company_summary(company)
        return TemplateResponse(request, "admin/booker/company/erase_confirm.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Erase this company's data?"),
            "company": company,
            "erased": company,
            "erase_action": "erase_company_data",
            "form": form,
            "kept_members": kept,
            "sections": [(personal_data.company_label(name), n)
                         for name, n in counts.items() if n],
            "files": company_privacy.file_counts(company),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        })

    def save_model(self, request: HttpRequest, obj: Company, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Every company is a contact of the studio's CRM from the start.
        services.contact_for_company(obj)


class RoleGroupAdmin(GroupAdmin):
    """Roles are groups: only superusers create, change or delete them, whatever permission a
    role would be given on groups."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return roles.grants_rights(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Group | None = None) -> bool:
        return roles.grants_rights(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Group | None = None) -> bool:
        return roles.grants_rights(request.user)


if admin.site.is_registered(Group):
    admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ["name", "photos_included", "extra_photo_price", "price",
                    "client_approves_finals", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


# --- Sessions ---------------------------------------------------------------------------------


class PhotoSessionForm(forms.ModelForm):
    class Meta:
        model = PhotoSession
        fields = [
            "title", "client", "company", "package", "photographer", "scheduled_at",
            "duration_minutes", "location",
            "notes", "quota", "extra_photo_price", "delivery_formats",
            "delivery_sizes", "client_approves_finals",
        ]
        help_texts = {
            "client": _("A private client…"),
            "company": _("…or a company: one of the two."),
        }

    # A new client, booked with their first session: the account is opened and invited
    # (`services.create_session_for_new_client`); on the add form only.
    new_first_name = forms.CharField(label=capfirst(_("first name")), max_length=150,
                                     required=False)
    new_last_name = forms.CharField(label=capfirst(_("last name")), max_length=150,
                                    required=False)
    new_email = forms.EmailField(label=capfirst(_("email address")), required=False)
    new_phone = forms.CharField(label=capfirst(_("phone")), max_length=32, required=False)
    NEW_CLIENT = ("new_first_name", "new_last_name", "new_email", "new_phone")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "client" in self.fields:
            # Clients are the people without a back-office account.
            self.fields["client"].queryset = User.objects.filter(is_active=True, is_staff=False)
        if "duration_minutes" in self.fields:
            # Left empty (or absent from an older form), the model's default hour.
            self.fields["duration_minutes"].required = False
        if "delivery_sizes" in self.fields:
            # Absent from an older form: the session keeps the sizes it has.
            self.fields["delivery_sizes"].required = False
        if "photographer" in self.fields:
            self.fields["photographer"].queryset = User.objects.filter(
                is_active=True, groups__name=roles.PHOTOGRAPHER
            ).distinct()

    def wants_new_client(self) -> bool:
        return any((self.data.get(self.add_prefix(name)) or "").strip()
                   for name in self.NEW_CLIENT if name in self.fields)

    def _get_validation_exclusions(self):
        # The session's owner is the account made on saving: the "client or company" rule is
        # checked in clean() instead.
        exclude = super()._get_validation_exclusions()
        if self.wants_new_client():
            exclude.add("client")
        return exclude

    def clean_duration_minutes(self) -> int:
        duration = self.cleaned_data.get("duration_minutes")
        return duration or PhotoSession._meta.get_field("duration_minutes").default

    def clean_delivery_sizes(self) -> str:
        return self.cleaned_data.get("delivery_sizes") or self.instance.delivery_sizes

    def clean_new_email(self) -> str:
        email = normalise_email(self.cleaned_data.get("new_email") or "")
        if email and User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account already exists for this email address: choose it as the client."))
        return email

    def clean(self):
        cleaned = super().clean()
        if self.wants_new_client():
            if cleaned.get("client") or cleaned.get("company"):
                raise forms.ValidationError(
                    _("Choose an existing client or company, or fill in a new client: not both."))
            if not cleaned.get("new_email") and "new_email" not in self.errors:
                self.add_error("new_email", _("A new client needs an email address: their "
                                              "invitation is sent there."))
        return cleaned


class SitterInline(admin.TabularInline):
    """Who is in each photo of a company's session (a headshot day): set at ingest from the
    members' slots (booker/intake/sitters.py), corrected here by the photographer. Only the
    company's members may be chosen; rushes are added and removed elsewhere (the studio page)."""

    model = Rush
    fields = ["original_filename", "captured_at", "sitter"]
    readonly_fields = ["original_filename", "captured_at"]
    ordering = ["captured_at", "original_filename", "pk"]
    extra = 0
    can_delete = False
    verbose_name = _("who is in the photo")
    verbose_name_plural = _("who is in each photo")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        self._company_id = obj.company_id if obj is not None else None
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name != "sitter":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        kwargs["queryset"] = User.objects.filter(
            memberships__company_id=getattr(self, "_company_id", None)
        ).order_by("first_name", "last_name", "pk")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        # The members read once for every row (a headshot day has hundreds of photos), not
        # once per row's <select>.
        field.choices = list(field.choices)
        inner = getattr(field.widget, "widget", None)
        if inner is not None:
            inner.choices = field.choices
        return field


@admin.register(PhotoSession)
class PhotoSessionAdmin(StudioAdminMixin, admin.ModelAdmin):
    form = PhotoSessionForm
    # For the studio the title opens the studio page (the session's workflow); the booking
    # form is one click further. Retouchers only get the read-only form.
    list_display = ["studio_title", "owner", "when", "status_badge", "ingest"]
    list_filter = ["status", "scheduled_at", ("photographer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "location", "client__email", "client__last_name", "company__name"]
    list_per_page = 50
    readonly_fields = ["status_badge", "status_changed_at", "studio_link", "ingest",
                       "crm_timeline"]
    actions = ["publish_proofs", "reopen_selection", "start_retouching", "deliver",
               "archive_now", "restore_originals", "cancel_sessions", "attribute_by_slot"]

    class Media:
        css = BACKOFFICE_CSS
        js = BACKOFFICE_JS

    # The list and the form.

    def get_queryset(self, request: HttpRequest) -> QuerySet[PhotoSession]:
        sessions = selectors.with_ingest_counts(selectors.back_office_sessions(request.user))
        return sessions.order_by(*(self.get_ordering(request) or PhotoSession._meta.ordering))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        if not selectors.sees_every_session(request.user) and selectors.runs_the_studio(
            request.user
        ):
            # A photographer who sees only the sessions they shoot books their own by default:
            # booked for nobody, the session would leave their list at once.
            initial.setdefault("photographer", request.user.pk)
        return initial

    def get_inlines(self, request: HttpRequest, obj: PhotoSession | None = None):
        # A company's session: who sits in each photo decides what each member picks among.
        inlines = [SitterInline] if obj is not None and obj.company_id else []
        if obj is not None and selectors.runs_the_studio(request.user):
            # The studio's notes and follow-up tasks, on the session's contact (the CRM). A
            # form posted without their section (a page opened before it existed) still
            # saves the session.
            inlines += [inline for inline in (crm_admin.SessionNoteInline,
                                              crm_admin.SessionTaskInline)
                        if request.method != "POST"
                        or crm_admin.posted_inline(request, inline)]
        return inlines

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if not crm_admin.save_session_formset(request, formset, form.instance):
            super().save_formset(request, form, formset, change)

    def get_list_display(self, request: HttpRequest) -> list[str]:
        if selectors.runs_the_studio(request.user):
            return self.list_display
        return ["title", *self.list_display[1:]]

    def get_list_display_links(self, request: HttpRequest, list_display) -> list[str] | None:
        if selectors.runs_the_studio(request.user):
            return None
        return ["title"]

    def get_fieldsets(self, request: HttpRequest, obj: PhotoSession | None = None):
        who = (None, {"fields": ["title", ("client", "company"), "package", "photographer"]})
        shoot = (_("Shoot"), {"fields": [("scheduled_at", "duration_minutes", "location")]})
        notes = (_("Studio notes"), {"fields": ["notes"]})
        if obj is None:
            # The terms are copied from the package by services.create_session.
            new_client = (_("…or a new client (they get an email to open their space)"),
                          {"fields": [("new_first_name", "new_last_name"),
                                      ("new_email", "new_phone")]})
            return [who, new_client, shoot, notes]
        progress = (_("Progress"), {"fields": [("status_badge", "status_changed_at"), "ingest",
                                               "studio_link"]})
        terms = (_("Terms (copied from the package at booking)"),
                 {"fields": [("quota", "extra_photo_price"),
                                    ("delivery_formats", "delivery_sizes"),
                             "client_approves_finals"]})
        fieldsets = [progress, who, shoot, terms, notes]
        if selectors.runs_the_studio(request.user):
            # What happened with this client, newest first (booker.crm.timeline).
            fieldsets.append((_("The client's timeline"), {"fields": ["crm_timeline"]}))
        return fieldsets

    def save_model(self, request: HttpRequest, obj: PhotoSession, form, change: bool) -> None:
        if change:
            moved = "scheduled_at" in form.changed_data
            new_date = obj.scheduled_at
            if moved:
                # The date moves through the service: it tells the client and the
                # photographer and moves the reminders.
                obj.scheduled_at = form.initial.get("scheduled_at")
            super().save_model(request, obj, form, change)
            if moved:
                services.reschedule_session(obj, new_date, actor=request.user)
                if booking_selectors.studio_move_fits(obj.pk) is False:
                    # The studio may overrule the calendar (a favour, a change of hours), but
                    # must know it did: a client's booking could otherwise overlap this one.
                    messages.warning(request, gettext(
                        "The session is moved, but this time is not one of the "
                        "photographer's free slots (outside their hours, or overlapping "
                        "another session, a busy time or a client's booking): check it can "
                        "take place."))
            return
        # A new session is booked through the service: it copies the package's terms and
        # records the `session.booked` event.
        fields = dict(title=obj.title, package=obj.package, photographer=obj.photographer,
                      actor=request.user, scheduled_at=obj.scheduled_at,
                      duration_minutes=obj.duration_minutes, location=obj.location,
                      notes=obj.notes)
        if form.wants_new_client():
            # The account is opened and invited with the session: the email names it.
            data = form.cleaned_data
            session = services.create_session_for_new_client(
                email=data["new_email"], first_name=data["new_first_name"],
                last_name=data["new_last_name"], phone=data["new_phone"], **fields)
            messages.info(request, gettext("%(email)s will receive an email to open their "
                                           "space.") % {"email": data["new_email"]})
        else:
            session = services.create_session(client=obj.client, company=obj.company,
                                              **fields)
        # The admin goes on with `obj` (log entry, redirect): make it that row.
        obj.pk = session.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def response_add(self, request: HttpRequest, obj: PhotoSession, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if any(k in request.POST for k in ("_continue", "_addanother", IS_POPUP_VAR)):
            return response
        # Booked: the next thing the photographer does is upload the rushes.
        return HttpResponseRedirect(studio.studio_url("studio", obj.pk))

    # Columns.

    @admin.display(description=_("title"), ordering="title")
    def studio_title(self, obj: PhotoSession) -> str:
        return format_html('<a class="bo-title-link" href="{}">{}</a>',
                           studio.studio_url("studio", obj.pk), obj.title)

    @admin.display(description=_("client / company"), ordering="company__name")
    def owner(self, obj: PhotoSession) -> str:
        if obj.company_id:
            return format_html('<span class="bo-owner bo-owner-company">{}</span> {}',
                               gettext("company"), obj.company)
        return format_html('<span class="bo-owner">{}</span> {}', gettext("client"), obj.client)

    @admin.display(description=_("date"), ordering="scheduled_at")
    def when(self, obj: PhotoSession) -> str:
        if obj.scheduled_at is None:
            return "—"
        return date_format(timezone.localtime(obj.scheduled_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: PhotoSession) -> str:
        # Where the originals are matters to the photographer more than the word "archived".
        label = {
            Status.ARCHIVED: gettext("archived — originals offline"),
            Status.RESTORING: gettext("restoring the originals…"),
        }.get(obj.status, obj.get_status_display())
        return badge("session", obj.status, label)

    @admin.display(description=_("rushes"))
    def ingest(self, obj: PhotoSession) -> str:
        counts = [
            ("ready", getattr(obj, "rushes_ready", 0), gettext("%(n)s ready")),
            ("failed", getattr(obj, "rushes_failed", 0), gettext("%(n)s failed")),
            ("pending", getattr(obj, "rushes_in_flight", 0), gettext("%(n)s in progress")),
        ]
        shown = [(kind, text % {"n": n}) for kind, n, text in counts if n]
        if not shown:
            return "—"
        return format_html_join(" ", '<span class="bo-chip bo-chip-{}">{}</span>', shown)

    @admin.display(description=_("timeline"))
    def crm_timeline(self, obj: PhotoSession) -> str:
        return crm_admin.session_timeline(obj)

    @admin.display(description=_("studio"))
    def studio_link(self, obj: PhotoSession) -> str:
        if obj.pk is None:
            return "—"
        return format_html('<a class="bo-link-button" href="{}">{}</a>',
                           studio.studio_url("studio", obj.pk), gettext("Studio →"))

    # Actions on many sessions: each calls the service and reports its refusals.

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[PhotoSession],
        do: Callable[[PhotoSession], object],
        done: Callable[[int], str],
    ) -> None:
        count = 0
        for session in queryset:
            try:
                do(session)
            except services.StudioError as exc:
                # Translators: a refusal in a bulk action: what was refused, then why.
                self.message_user(request, gettext("%(item)s: %(error)s")
                                  % {"item": session, "error": exc}, messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done(count), messages.SUCCESS)

    @admin.action(description=_("Publish the proofs to the client"), permissions=["studio"])
    def publish_proofs(self, request: HttpRequest, queryset: QuerySet[PhotoSession]) -> None:
        self._each(request, queryset, lambda s: services.publish_proofs(s, actor=request.user),
                   lambda n: ngettext("Proofs published for %(n)d session.",
                                      "Proofs published for %(n)d sessions.", n) % {"n": n})

    @admin.action(description=_("Reopen the client's selection"), permissions=["studio"])
    def reopen_selection(self, request: HttpRequest, queryset: QuerySet[PhotoSession]) -> None:
        self._each(request, queryset,
                   lambda s: services.reopen_selection(s, actor=request.user),
                   lambda n: ngettext("Selection reopened for %(n)d session.",
                                      "Selection reopened for %(n)d sessions.", n) % {"n": n})

    @admin.action(description=_("Start retouching the picks"), permissions=["studio"])
    def start_retouching(self, request: HttpRequest, queryset: QuerySet[PhotoSession]) -> None:
        self._each(request, queryset,
                   lambda s: services.start_retouching(s, actor=request.user),
                   lambda n: ngettext("Retouching started for %(n)d session.",
                                      "Retouching started for %(n)d sessions.", n) % {"n": n})

    @admin.action(description=_("Deliver the finals to the client"), permissions=["studio"])
    def deliver(self, request: HttpRequest, queryset: QuerySet[PhotoSession]) -> None:
        self._each(request, queryset, lambda s: services.deliver(s, actor=request.user),
                   lambda n: ngettext("%(n)d session delivered.",
                                      "%(n)d sessions delivered.", n) % {"n": n})

    @admin.action(description=_("Archive the originals now"), permissions=["studio"])
    def archive_now(self, request: HttpRequest, queryset: QuerySet[PhotoSession]) -> None:
        self._each(request, queryset, lambda s: archive.queue_archive(s, actor=request.user),
                   lambda n: ngettext(
                       "Archiving started for %(n)d session: its originals go offline once "
                       "their archived copies are verified.",
                       "Archiving started for %(n)d sessions: their originals go offline once "
                       "their archived copies are verified.", n) % {"n": n})

    @admin.action(description=_("Restore the originals"), permissions=["studio"])
    def restore_originals(self, request: HttpRequest, queryset: QuerySet[PhotoSession]) -> None:
        self._each(request, queryset,
                   lambda s: archive.request_restore(s, actor=request.user),
                   lambda n: ngettext(
                       "Restore requested for %(n)d session; you will get an email when the "
                       "originals are back.",
                       "Restore requested for %(n)d sessions; you will get an email when the "
                       "originals are back.", n) % {"n": n})

    @admin.action(description=_("Attribute the photos to the sitters by slot again"),
                  permissions=["studio"])
    def attribute_by_slot(self, request: HttpRequest, queryset: QuerySet[PhotoSession]) -> None:
        # Overwrites the sitters set by hand: after the slots or the camera's clock changed.
        for session in queryset:
            attributed, unattributed = services.attribute_by_slot(session)
            self.message_user(request, gettext(
                "%(session)s: %(attributed)d photo(s) attributed by slot, %(unattributed)d "
                "outside every slot (no sitter).") % {
                    "session": session, "attributed": attributed,
                    "unattributed": unattributed}, messages.SUCCESS)

    @admin.action(description=_("Cancel sessions…"), permissions=["studio"])
    def cancel_sessions(self, request: HttpRequest, queryset: QuerySet[PhotoSession]):
        # Cancelling is final: it goes through a confirmation page.
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(request, queryset,
                       lambda s: services.cancel_session(s, actor=request.user, reason=reason),
                       lambda n: ngettext("%(n)d session cancelled.",
                                          "%(n)d sessions cancelled.", n) % {"n": n})
            return None
        return TemplateResponse(
            request,
            "admin/booker/confirm_action.html",
            self.studio_context(
                request, title=gettext("Cancel these sessions?"), form=form, objects=queryset,
                action="cancel_sessions", action_checkbox_name=ACTION_CHECKBOX_NAME,
                warning=gettext("A cancelled session cannot be reopened."),
                submit_label=gettext("Yes, cancel them"), danger=True,
            ),
        )

    # The studio page of one session and its endpoints.


    def get_urls(self):
        wrap = self.admin_site.admin_view
        pages = [
            # The photographer's calendars: their private feed, their own calendar's address.
            path("agendas/", wrap(self._page(calendars.my_calendars)),
                 name="booker_photosession_calendars"),
            path("<id:object_id>/studio/", wrap(self._page(studio.studio_page)),
                 name="booker_photosession_studio"),
            # The photographer's curation of the proofs (booker.proofing.curation).
            path("<id:object_id>/epreuves/", wrap(self._page(curation.curation_page)),
                 name="booker_photosession_curation"),
            # Rushes: the resumable uploader's API (booker.uploads; docs/architecture.md).
            path("<id:object_id>/studio/uploads/", wrap(self._page(studio.upload_start)),
                 name="booker_photosession_uploads"),
            path("<id:object_id>/studio/uploads/<id:upload_id>/",
                 wrap(self._page(studio.upload_step)),
                 name="booker_photosession_upload"),
            path("<id:object_id>/studio/uploads/<id:upload_id>/<slug:step>/",
                 wrap(self._page(studio.upload_step)), name="booker_photosession_upload_step"),
            # Finals are csrf_exempt at the URL only: receive_uploads checks CSRF itself,
            # after routing the files to disk.
            path("<id:object_id>/studio/progress/", wrap(self._page(studio.progress)),
                 name="booker_photosession_progress"),
            path("<id:object_id>/studio/finals/",
                 wrap(csrf_exempt(self._page(studio.session_finals))),
                 name="booker_photosession_finals"),
            path("<id:object_id>/studio/do/<slug:step>/", wrap(self._page(studio.step)),
                 name="booker_photosession_step"),
            path("<id:object_id>/studio/export/<slug:kind>/", wrap(self._page(studio.export)),
                 name="booker_photosession_export"),
        ]
        return pages + super().get_urls()


# --- Retouching -------------------------------------------------------------------------------


class AssignForm(forms.Form):
    retoucher = forms.ModelChoiceField(label=_("retoucher"), queryset=User.objects.none(),
                                       empty_label=None)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["retoucher"].queryset = selectors.retouchers()


@admin.register(RetouchJob)
class RetouchJobAdmin(StudioAdminMixin, admin.ModelAdmin):
    list_display = ["thumb", "rush_name", "session_title", "assignee", "status_badge",
                    "due_date", "instructions_short", "final_name"]
    list_display_links = ["rush_name"]
    list_filter = ["status", ("assignee", admin.RelatedOnlyFieldListFilter),
                   ("session", admin.RelatedOnlyFieldListFilter), "due_date"]
    search_fields = ["rush__original_filename", "session__title", "instructions"]
    list_per_page = 100
    actions = ["assign_to_retoucher", "approve", "request_changes"]
    fields = ["thumb_large", "rush_name", "session_title", "assignee", "status_badge",
              "due_date", "instructions", "final_name"]
    readonly_fields = ["thumb_large", "rush_name", "session_title", "assignee", "status_badge",
                       "final_name"]

    class Media:
        css = BACKOFFICE_CSS
        js = BACKOFFICE_JS

    def get_queryset(self, request: HttpRequest) -> QuerySet[RetouchJob]:
        jobs = selectors.back_office_jobs(request.user)
        return jobs.order_by(*(self.get_ordering(request) or RetouchJob._meta.ordering))

    def get_list_filter(self, request: HttpRequest):
        if selectors.runs_the_studio(request.user):
            return self.list_filter
        # Every job a retoucher sees is theirs: filtering by retoucher would be noise.
        return [f for f in self.list_filter if not (isinstance(f, tuple) and f[0] == "assignee")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs are made by "start retouching", one per picked photo

    def has_change_permission(self, request: HttpRequest, obj: RetouchJob | None = None) -> bool:
        # Retouchers hold `change_retouchjob` for their finals; the job's terms (instructions,
        # due date, assignee, status) are the studio's.
        return super().has_change_permission(request, obj) and selectors.runs_the_studio(
            request.user
        )

    # Columns.

    @admin.display(description="")
    def thumb(self, obj: RetouchJob) -> str:
        url = rush_thumb_url(obj.rush)
        if url is None:
            return format_html('<span class="bo-thumb bo-thumb-empty">{}</span>',
                               obj.rush.original_filename.rsplit(".", 1)[-1].upper())
        return format_html('<img class="bo-thumb" src="{}" alt="" loading="lazy">', url)

    @admin.display(description=_("photo"))
    def thumb_large(self, obj: RetouchJob) -> str:
        url = rush_thumb_url(obj.rush)
        if url is None:
            return "—"
        return format_html('<img class="bo-thumb-large" src="{}" alt="">', url)

    @admin.display(description=_("file"), ordering="rush__original_filename")
    def rush_name(self, obj: RetouchJob) -> str:
        return obj.rush.original_filename

    @admin.display(description=_("session"), ordering="session__title")
    def session_title(self, obj: RetouchJob) -> str:
        return str(obj.session)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: RetouchJob) -> str:
        return badge("job", obj.status, obj.get_status_display())

    @admin.display(description=_("client's instructions"))
    def instructions_short(self, obj: RetouchJob) -> str:
        return Truncator(obj.instructions).chars(80) or "—"

    @admin.display(description=_("final"))
    def final_name(self, obj: RetouchJob) -> str:
        final = getattr(obj, "final", None)
        return final.original_filename if final else "—"

    # Actions.

    @admin.action(description=_("Assign to a retoucher…"), permissions=["studio"])
    def assign_to_retoucher(self, request: HttpRequest, queryset: QuerySet[RetouchJob]):
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            retoucher = form.cleaned_data["retoucher"]
            try:
                count = services.assign_jobs(queryset, retoucher, actor=request.user)
            except services.StudioError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(
                request,
                ngettext("%(n)d job assigned to %(who)s.", "%(n)d jobs assigned to %(who)s.",
                         count) % {"n": count, "who": retoucher},
                messages.SUCCESS,
            )
            skipped = queryset.count() - count
            if skipped:
                self.message_user(
                    request,
                    ngettext("%(n)d approved job was left as it is.",
                             "%(n)d approved jobs were left as they are.",
                             skipped) % {"n": skipped},
                    messages.WARNING,
                )
            return None
        return TemplateResponse(
            request,
            "admin/booker/confirm_action.html",
            self.studio_context(
                request, title=gettext("Assign these retouches"), form=form, objects=queryset,
                action="assign_to_retoucher", action_checkbox_name=ACTION_CHECKBOX_NAME,
                submit_label=gettext("Assign"),
                empty_warning=None if selectors.retouchers().exists() else gettext(
                    "Nobody is in the Retoucher group yet: give someone that role first."
                ),
            ),
        )

    def _move_each(self, request: HttpRequest, queryset: QuerySet[RetouchJob], to: str,
                   done: Callable[[int], str]) -> None:
        count = 0
        for job in queryset:
            try:
                services.move_job(job, to, actor=request.user)
            except services.StudioError as exc:
                self.message_user(request, gettext("%(item)s: %(error)s")
                                  % {"item": job.rush.original_filename, "error": exc},
                                  messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done(count), messages.SUCCESS)

    @admin.action(description=_("Approve the retouch"), permissions=["studio"])
    def approve(self, request: HttpRequest, queryset: QuerySet[RetouchJob]) -> None:
        self._move_each(request, queryset, JobStatus.DONE,
                        lambda n: ngettext("%(n)d retouch approved.",
                                           "%(n)d retouches approved.", n) % {"n": n})

    @admin.action(description=_("Request changes"), permissions=["studio"])
    def request_changes(self, request: HttpRequest, queryset: QuerySet[RetouchJob]) -> None:
        self._move_each(request, queryset, JobStatus.CHANGES_REQUESTED,
                        lambda n: ngettext("Changes requested on %(n)d retouch.",
                                           "Changes requested on %(n)d retouches.",
                                           n) % {"n": n})

    # The retoucher's own page.

    def get_urls(self):
        wrap = self.admin_site.admin_view
        mine = [
            path("mine/", wrap(self._page(studio.my_jobs_page)), name="booker_retouchjob_mine"),
            path("mine/finals/", wrap(csrf_exempt(self._page(studio.my_finals))),
                 name="booker_retouchjob_mine_finals"),
            # The photographer's review: each final beside its proof, approved or returned.
            path("a-valider/", wrap(self._page(retouch_review.review_queue)),
                 name="booker_retouchjob_review"),
            path("<id:object_id>/final/", wrap(self._page(retouch_review.final_preview)),
                 name="booker_retouchjob_final"),
            path("<id:object_id>/avis/", wrap(self._page(retouch_review.review)),
                 name="booker_retouchjob_review_one"),
            # The retoucher's kit: the RAWs of the jobs they hold, with XMP sidecars.
            path("mine/originals.zip", wrap(self._page(retouch_kit.my_originals_zip)),
                 name="booker_retouchjob_mine_originals"),
            path("<id:object_id>/original/", wrap(self._page(retouch_kit.job_original)),
                 name="booker_retouchjob_original"),
        ]
        return mine + super().get_urls()


# --- CRM: the proof of marketing consents ---------------------------------------------


# The leads (their pipeline and its board) are the CRM's admin: booker/crm/admin.py.


@admin.register(PersonalDataErasure)
class PersonalDataErasureAdmin(admin.ModelAdmin):
    """Evidence that a person or a company was erased (GDPR): who, when, where the worker's
    job stands, how many rows and files; made only by the erasure (the user and company
    lists' actions), never edited nor deleted. A failed one is relaunched from here."""

    list_display = ("started_at", "subject", "status_badge", "erased_by", "rows", "files",
                    "finished_at")
    list_filter = ("status",)
    list_select_related = ("person", "company", "erased_by")
    date_hierarchy = "started_at"
    fields = ("person", "company", "erased_by", "status", "failure", "started_at",
              "finished_at", "files_confirmed", "counts")
    readonly_fields = fields
    actions = ["relaunch"]
    change_form_template = "admin/booker/personaldataerasure/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_relaunch_permission(self, request: HttpRequest) -> bool:
        return selectors.runs_the_studio(request.user)

    @admin.display(description=_("erased"))
    def subject(self, obj: PersonalDataErasure) -> str:
        return str(obj.company or obj.person or "—")

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: PersonalDataErasure) -> str:
        return badge("erasure", obj.status, obj.get_status_display())

    @admin.display(description=_("rows"))
    def rows(self, obj: PersonalDataErasure) -> int:
        return sum((obj.counts.get("sections") or {}).values())

    @admin.display(description=_("files"))
    def files(self, obj: PersonalDataErasure) -> int:
        return sum((obj.counts.get("files") or {}).values())

    @admin.action(description=_("Relaunch the failed or stopped erasures"),
                  permissions=["relaunch"])
    def relaunch(self, request: HttpRequest, queryset: QuerySet[PersonalDataErasure]):
        """"Relancer": the worker runs it again; files already gone are skipped."""
        relaunched = 0
        for record in queryset.select_related("person"):
            try:
                erasure.retry(record, actor=request.user)
            except services.StudioError as refused:
                self.message_user(request, f"#{record.pk} : {refused}", messages.ERROR)
                continue
            relaunched += 1
        if relaunched:
            self.message_user(request, ngettext(
                "%(n)d erasure relaunched: you will see the result on its record.",
                "%(n)d erasures relaunched: you will see the result on their records.",
                relaunched) % {"n": relaunched}, messages.SUCCESS)

    def render_change_form(self, request: HttpRequest, context, add=False, change=False,
                           form_url="", obj=None):
        context["may_relaunch"] = obj is not None and erasure.may_retry(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(MarketingConsent)
class MarketingConsentAdmin(admin.ModelAdmin):
    """Evidence, not data to edit: what each person agreed to, and when."""

    list_display = ("email", "contact", "purpose", "status", "source", "requested_at",
                    "confirmed_at", "withdrawn_at", "recorded_by")
    list_filter = ("status", "purpose", "source")
    # The address a consent was given from, or the person's address of today.
    search_fields = ("email", "contact__email", "contact__name")
    list_select_related = ("contact", "recorded_by")
    date_hierarchy = "requested_at"
    fields = (
        "email", "contact", "purpose", "status", "source", "consent_text", "source_url",
        "ip_hash", "requested_at", "last_sent_at", "confirmed_at", "withdrawn_at",
        "recorded_by", "recorded_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
