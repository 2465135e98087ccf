"""The studio's back office: Django's admin at /admin/, shaped around the photographer's day
(book → upload rushes → publish proofs → read the picks → retouch → deliver).

The admin is thin: every button calls one function of `booker.services` and turns its
`StudioError` into a message; what each person sees comes from `booker.selectors`.
Photographers (and superusers) run every session; retouchers see only their own jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from booker import exports, roles, selectors, services
from booker.archive import services as archive
from booker.intake import uploads
from booker.sessions.machine import SESSION

from .models import (
    Company,
    Lead,
    MarketingConsent,
    Membership,
    Package,
    PhotoSession,
    RetouchJob,
    Rush,
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
Ingest = Rush.Ingest

BACKOFFICE_CSS = {"all": ["booker/backoffice.css"]}
BACKOFFICE_JS = ["booker/backoffice.js"]
BACKOFFICE_MEDIA = forms.Media(css=BACKOFFICE_CSS, js=BACKOFFICE_JS)


# --- Helpers shared by the studio pages ---------------------------------------------------------


def rush_thumb_url(rush: Rush) -> str | None:
    """Thumbnails are private files: the portal serves them after a permission check."""
    if rush.ingest_status != Ingest.READY or not rush.thumbnail:
        return None
    try:
        return reverse("portal:rush-thumb", args=[rush.pk])
    except NoReverseMatch:  # the portal's file views are not wired yet: show a placeholder
        return None


def badge(kind: str, value: str, label: str) -> str:
    return format_html('<span class="bo-badge bo-{}-{}">{}</span>', kind, value, label)


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def receive_uploads(
    request: HttpRequest, handle: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    """Run `handle` on a multipart POST whose files are streamed to temporary files on disk.

    RAWs weigh up to several hundred MB and must never be held in memory. Upload handlers can
    only be swapped before the body is parsed, and CsrfViewMiddleware parses it to look for the
    token: so these views are csrf_exempt at the URL and the CSRF check runs here, after the
    swap (the pattern Django's "modifying upload handlers on the fly" documents)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    request.upload_handlers = [TemporaryFileUploadHandler(request)]
    return csrf_protect(handle)(request)


def json_body(request: HttpRequest) -> dict:
    """The JSON object of an upload request; `uploads.BadUploadRequest` (400) otherwise."""
    return uploads.read_json(request.body)


def refusal(exc: services.StudioError) -> JsonResponse:
    """A refused upload step, with the reason the uploader shows: 400 for a malformed request,
    413 for a file too large, 409 for a refusal of the studio's rules."""
    return JsonResponse({"status": "error", "error": str(exc)},
                        status=getattr(exc, "status", 409))


def js_strings() -> dict[str, str]:
    """The words backoffice.js shows, translated here (the admin has no JS catalogue)."""
    return {
        "waiting": gettext("waiting"),
        "uploading": gettext("uploading…"),
        "created": gettext("stored"),
        "duplicate": gettext("duplicate: already in this session"),
        "matched": gettext("attached"),
        "unmatched": gettext("NOT attached: no job matches this file name"),
        "refused": gettext("refused"),
        "error": gettext("error"),
        "retry": gettext("Retry"),
        "network": gettext("network error: the upload did not reach the studio"),
        "expired": gettext("unexpected answer (HTTP %s): is your login still valid? Reload."),
        "batch": gettext("%(done)s of %(total)s files · %(sent)s of %(size)s"),
        "summary_rushes": gettext(
            "Stored: %(created)s · duplicates: %(duplicate)s · errors: %(error)s"
        ),
        "summary_finals": gettext(
            "Attached: %(matched)s · NOT attached: %(unmatched)s · refused: %(refused)s · "
            "errors: %(error)s"
        ),
        "attached_title": gettext("Attached to their job"),
        "unattached_title": gettext(
            "NOT attached — no job matches these file names. They were not stored: rename them "
            "after the original (IMG_0012-edit.jpg for IMG_0012.CR2) and upload them again."
        ),
        "refused_title": gettext("Refused"),
        "leave": gettext("Uploads are still running. Leave the page anyway?"),
        "all_done": gettext("All rushes are processed."),
        "copied": gettext("Copied"),
        "hashing": gettext("reading the file… %(pct)s %"),
        "queued": gettext("waiting for its turn"),
        "resuming": gettext("resuming: %(pct)s % already at the studio"),
        "completing": gettext("checking…"),
        "retrying": gettext("connection lost, trying again (%(n)s/%(max)s)…"),
        "gave_up": gettext("the upload stopped after several attempts. Retry when the "
                           "connection is back: only the missing parts will be sent."),
        "refresh": gettext("Refresh the list"),
    }


def finals_response(
    request: HttpRequest,
    jobs: Iterable[RetouchJob],
    *,
    back_url: str,
    context: dict,
) -> HttpResponse:
    """Attach uploaded finals to their jobs by file name; answer JSON (one XHR per file from
    backoffice.js) or a result page (a plain form post of many files)."""
    files = request.FILES.getlist("files")
    if not files:
        if wants_json(request):
            return JsonResponse({"error": gettext("No file was sent.")}, status=400)
        messages.error(request, gettext("Choose the retouched files to upload."))
        return HttpResponseRedirect(back_url)
    report = services.upload_finals(
        [(upload.name, upload) for upload in files], jobs=jobs, actor=request.user
    )
    if wants_json(request):
        results = [
            {"name": name, "status": "matched", "job": job.pk,
             "rush": job.rush.original_filename, "session": str(job.session)}
            for name, job in report.matched
        ]
        results += [{"name": name, "status": "unmatched"} for name in report.unmatched]
        results += [{"name": name, "status": "refused", "reason": why}
                    for name, why in report.refused]
        return JsonResponse({"results": results})
    return TemplateResponse(
        request,
        "admin/booker/finals_result.html",
        {**context, "report": report, "back_url": back_url,
         "title": gettext("Retouched files uploaded")},
    )


class StudioAdminMixin:
    """Permission shortcuts shared by the studio's ModelAdmins."""

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


# What a role (not a superuser) sees of an account: the profile, never the rights.
PROFILE_FIELDSETS = (
    (None, {"fields": ("email",)}),
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
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "phone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None):
        if roles.grants_rights(request.user):
            return super().get_fieldsets(request, obj)
        return INVITE_FIELDSETS if obj is None else PROFILE_FIELDSETS

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        if roles.grants_rights(request.user):
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

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
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if add and not roles.grants_rights(request.user):
            # Django's add page speaks of passwords; a role's is an invitation.
            response.template_name = "admin/booker/user/invite_form.html"
        return response

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        if change or roles.grants_rights(request.user):
            return super().save_model(request, obj, form, change)
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


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "billing_email", "pays_on_invoice"]
    search_fields = ["name", "legal_name", "siret"]
    inlines = [MembershipInline]


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
    list_display = ["name", "photos_included", "extra_photo_price", "price", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


# --- Sessions ---------------------------------------------------------------------------------


class PhotoSessionForm(forms.ModelForm):
    class Meta:
        model = PhotoSession
        fields = [
            "title", "client", "company", "package", "photographer", "scheduled_at", "location",
            "notes", "quota", "extra_photo_price", "delivery_formats",
        ]
        help_texts = {
            "client": _("A private client…"),
            "company": _("…or a company: one of the two."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "client" in self.fields:
            # Clients are the people without a back-office account.
            self.fields["client"].queryset = User.objects.filter(is_active=True, is_staff=False)
        if "photographer" in self.fields:
            self.fields["photographer"].queryset = User.objects.filter(
                is_active=True, groups__name=roles.PHOTOGRAPHER
            ).distinct()


class DueDateForm(forms.Form):
    due_date = forms.DateField(label=_("due date"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason (kept in the session's history)"), required=False,
                             max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


@admin.register(PhotoSession)
class PhotoSessionAdmin(StudioAdminMixin, admin.ModelAdmin):
    form = PhotoSessionForm
    # For the studio the title opens the studio page (the session's workflow); the booking
    # form is one click further. Retouchers only get the read-only form.
    list_display = ["studio_title", "owner", "when", "status_badge", "ingest"]
    list_filter = ["status", "scheduled_at", ("photographer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "location", "client__email", "client__last_name", "company__name"]
    list_per_page = 50
    readonly_fields = ["status_badge", "status_changed_at", "studio_link", "ingest"]
    actions = ["publish_proofs", "reopen_selection", "start_retouching", "deliver",
               "archive_now", "restore_originals", "cancel_sessions"]

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
        shoot = (_("Shoot"), {"fields": [("scheduled_at", "location")]})
        notes = (_("Studio notes"), {"fields": ["notes"]})
        if obj is None:
            # The terms are copied from the package by services.create_session.
            return [who, shoot, notes]
        progress = (_("Progress"), {"fields": [("status_badge", "status_changed_at"), "ingest",
                                               "studio_link"]})
        terms = (_("Terms (copied from the package at booking)"),
                 {"fields": [("quota", "extra_photo_price"), "delivery_formats"]})
        return [progress, who, shoot, terms, notes]

    def save_model(self, request: HttpRequest, obj: PhotoSession, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new session is booked through the service: it copies the package's terms and
        # records the `session.booked` event.
        session = services.create_session(
            title=obj.title, client=obj.client, company=obj.company, package=obj.package,
            photographer=obj.photographer, actor=request.user,
            scheduled_at=obj.scheduled_at, location=obj.location, notes=obj.notes,
        )
        # The admin goes on with `obj` (log entry, redirect): make it that row.
        obj.pk = session.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def response_add(self, request: HttpRequest, obj: PhotoSession, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if any(k in request.POST for k in ("_continue", "_addanother", IS_POPUP_VAR)):
            return response
        # Booked: the next thing the photographer does is upload the rushes.
        return HttpResponseRedirect(self._url("studio", obj.pk))

    # Columns.

    @admin.display(description=_("title"), ordering="title")
    def studio_title(self, obj: PhotoSession) -> str:
        return format_html('<a class="bo-title-link" href="{}">{}</a>',
                           self._url("studio", obj.pk), obj.title)

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

    @admin.display(description=_("studio"))
    def studio_link(self, obj: PhotoSession) -> str:
        if obj.pk is None:
            return "—"
        return format_html('<a class="bo-link-button" href="{}">{}</a>',
                           self._url("studio", obj.pk), gettext("Studio →"))

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

    def _url(self, name: str, *args) -> str:
        return reverse(f"admin:booker_photosession_{name}", args=args)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        studio = [
            path("<id:object_id>/studio/", wrap(self.studio_view),
                 name="booker_photosession_studio"),
            # Rushes: the resumable uploader's API (booker.uploads; docs/architecture.md).
            path("<id:object_id>/studio/uploads/", wrap(self.upload_start_view),
                 name="booker_photosession_uploads"),
            path("<id:object_id>/studio/uploads/<id:upload_id>/", wrap(self.upload_view),
                 name="booker_photosession_upload"),
            path("<id:object_id>/studio/uploads/<id:upload_id>/<slug:step>/",
                 wrap(self.upload_view), name="booker_photosession_upload_step"),
            # Finals are csrf_exempt at the URL only: receive_uploads checks CSRF itself,
            # after routing the files to disk.
            path("<id:object_id>/studio/progress/", wrap(self.progress_view),
                 name="booker_photosession_progress"),
            path("<id:object_id>/studio/finals/", wrap(csrf_exempt(self.finals_view)),
                 name="booker_photosession_finals"),
            path("<id:object_id>/studio/do/<slug:step>/", wrap(self.step_view),
                 name="booker_photosession_step"),
            path("<id:object_id>/studio/export/<slug:kind>/", wrap(self.export_view),
                 name="booker_photosession_export"),
        ]
        return studio + super().get_urls()

    def _studio_session(self, request: HttpRequest, object_id: int) -> PhotoSession:
        """The session, for people who run the studio and see it (`back_office_sessions`, the
        rule of the files). Refused (403) before anything else — and before an upload's body
        is read."""
        if not selectors.runs_the_studio(request.user):
            raise PermissionDenied
        session = self.get_queryset(request).filter(pk=object_id).first()
        if session is None:
            raise Http404("No such session.")
        return session

    def studio_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        session = self._studio_session(request, object_id)
        counts = selectors.ingest_counts(session)
        status = session.status
        picks = list(selectors.picks(session))
        jobs = list(selectors.session_jobs(session))
        context = self.studio_context(
            request,
            title=session.title,
            subtitle=gettext("Studio"),
            session=session,
            original=session,
            status_badge=self.status_badge(session),
            steps=_steps(status),
            counts=counts,
            in_flight=counts[Ingest.PENDING] + counts[Ingest.PROCESSING],
            rushes=[(rush, rush_thumb_url(rush)) for rush in selectors.studio_rushes(session)],
            picks=[(item, rush_thumb_url(item.rush)) for item in picks],
            picked_count=sum(1 for item in picks if item.picked),
            search_string=exports.search_string(picks),
            jobs=[(job, rush_thumb_url(job.rush)) for job in jobs],
            jobs_done=sum(1 for job in jobs if job.status == JobStatus.DONE),
            can_upload_rushes=status in (Status.BOOKED, Status.SHOT),
            can_publish=status == Status.SHOT,
            is_booked=status == Status.BOOKED,
            shows_picks=status not in (Status.BOOKED, Status.SHOT),
            can_reopen=status in (Status.SELECTION_SUBMITTED, Status.AWAITING_PAYMENT),
            can_start_retouching=status == Status.SELECTION_SUBMITTED,
            can_upload_finals=status == Status.RETOUCHING and bool(jobs),
            can_deliver=status == Status.RETOUCHING,
            can_cancel=SESSION.allows(status, Status.CANCELLED),
            originals=selectors.originals_by_tier(session),
            can_archive=status == Status.DELIVERED,
            can_restore=status == Status.ARCHIVED,
            archive_after_days=settings.BOOKER_ARCHIVE_AFTER_DAYS,
            due_form=DueDateForm(),
            reason_form=ReasonForm(),
            jobs_url=reverse("admin:booker_retouchjob_changelist") + f"?session__id__exact="
            f"{session.pk}",
            upload_url=self._url("uploads", session.pk),
            progress_url=self._url("progress", session.pk),
            finals_url=self._url("finals", session.pk),
            upload_part_size=uploads.base_part_size(),
            change_url=reverse("admin:booker_photosession_change", args=[session.pk]),
        )
        return TemplateResponse(request, "admin/booker/photosession/studio.html", context)

    def upload_start_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Start (or resume) the upload of one rush; see booker.uploads."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        session = self._studio_session(request, object_id)
        try:
            body = json_body(request)
            started = uploads.start_upload(
                session, filename=body.get("filename", ""), size=body.get("size"),
                sha256=body.get("sha256", ""), part_checksums=body.get("part_sha256"),
                actor=request.user,
            )
        except services.StudioError as exc:
            return refusal(exc)
        if started.duplicate_of is not None:
            rush = started.duplicate_of
            return JsonResponse({"status": "duplicate", "rush": rush.pk,
                                 "stored_as": rush.original_filename})
        upload = started.upload
        return JsonResponse({
            "status": "uploading", "upload": upload.pk, "mode": started.mode,
            "part_size": upload.part_size,
            "parts": [{"number": n, "size": size} for n, size in started.parts],
            "received": upload.received,
        }, status=201 if upload.received == 0 and not started.parts else 200)

    def upload_view(self, request: HttpRequest, object_id: int, upload_id: int,
                    step: str = "") -> HttpResponse:
        """One upload's steps: part URLs (S3), a chunk (local), complete, abort (DELETE)."""
        session = self._studio_session(request, object_id)
        upload = session.uploads.filter(pk=upload_id).first()
        if upload is None:
            raise Http404("No such upload.")
        allowed = {"": "DELETE", "parts": "POST", "chunk": "PUT", "complete": "POST"}
        if step not in allowed:
            raise Http404("No such step.")
        if request.method != allowed[step]:
            return HttpResponseNotAllowed([allowed[step]])
        try:
            if step == "parts":
                numbers = json_body(request).get("numbers") or []
                urls = uploads.part_urls(upload, numbers)
                return JsonResponse({"urls": {str(n): url for n, url in urls.items()}})
            if step == "chunk":
                try:
                    offset = int(request.GET.get("offset", ""))
                    length = int(request.headers.get("Content-Length") or 0)
                except ValueError:
                    return JsonResponse({"status": "error",
                                         "error": gettext("offset and length are needed")},
                                        status=400)
                received = uploads.receive_chunk(upload, offset, request, length)
                return JsonResponse({"received": received})
            if step == "complete":
                added = uploads.complete_upload(upload, actor=request.user)
                return JsonResponse(
                    {"status": "duplicate" if added.duplicate else "created",
                     "rush": added.rush.pk, "stored_as": added.rush.original_filename},
                    status=200 if added.duplicate else 201,
                )
            uploads.abort_upload(upload)
            return HttpResponse(status=204)
        except uploads.OffsetMismatch as exc:
            return JsonResponse({"status": "error", "error": str(exc),
                                 "received": exc.received}, status=409)
        except services.StudioError as exc:
            return refusal(exc)

    def progress_view(self, request: HttpRequest, object_id: int) -> JsonResponse:
        """What the studio page polls while proofs are being made."""
        session = self._studio_session(request, object_id)
        counts = selectors.ingest_counts(session)
        rushes = [
            {"id": rush.pk, "name": rush.original_filename, "status": rush.ingest_status,
             "label": rush.get_ingest_status_display(), "reason": rush.failure_reason,
             "thumb": rush_thumb_url(rush)}
            for rush in selectors.studio_rushes(session).only(
                "pk", "original_filename", "ingest_status", "failure_reason", "thumbnail"
            )
        ]
        return JsonResponse({
            "session_status": session.status,
            "session_status_label": session.get_status_display(),
            "counts": counts,
            "in_flight": counts[Ingest.PENDING] + counts[Ingest.PROCESSING],
            "rushes": rushes,
        })

    def finals_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The photographer uploads the finals of a whole session, matched by file name."""
        session = self._studio_session(request, object_id)
        back_url = self._url("studio", session.pk)
        return receive_uploads(
            request,
            lambda request: finals_response(
                request, selectors.session_jobs(session), back_url=back_url,
                context=self.studio_context(request, session=session),
            ),
        )

    def step_view(self, request: HttpRequest, object_id: int, step: str) -> HttpResponse:
        """The studio page's buttons: one service call each, refusals become messages."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        session = self._studio_session(request, object_id)
        actor = request.user
        try:
            if step == "publish":
                services.publish_proofs(session, actor=actor)
                done = gettext("Proofs published: the client can now choose their photos.")
            elif step == "reopen":
                services.reopen_selection(session, actor=actor)
                done = gettext("The selection is open again: the client can change it.")
            elif step == "start-retouching":
                form = DueDateForm(request.POST)
                if not form.is_valid():
                    raise services.StudioError(gettext("The due date is not a valid date."))
                jobs = services.start_retouching(session, actor=actor,
                                                 due_date=form.cleaned_data["due_date"])
                done = ngettext("Retouching started: %(n)d job created.",
                                "Retouching started: %(n)d jobs created.",
                                len(jobs)) % {"n": len(jobs)}
            elif step == "deliver":
                services.deliver(session, actor=actor,
                                 message=request.POST.get("message", "").strip())
                done = gettext("Delivered: the client can download the photos.")
            elif step == "cancel":
                form = ReasonForm(request.POST)
                form.is_valid()
                services.cancel_session(session, actor=actor,
                                        reason=form.cleaned_data.get("reason", ""))
                done = gettext("The session is cancelled.")
            elif step == "archive":
                archive.queue_archive(session, actor=actor)
                done = gettext("Archiving started: each original goes offline once its "
                               "archived copy is verified. Proofs and finals stay online.")
            elif step == "restore":
                archive.request_restore(session, actor=actor)
                done = gettext("Restore requested: the session shows “restoring” until the "
                               "originals are back, and you will get an email then.")
            elif step == "retry":
                count = services.retry_rushes(
                    session.rushes.filter(ingest_status=Ingest.FAILED), actor=actor
                )
                done = ngettext("%(n)d rush queued again.", "%(n)d rushes queued again.",
                                count) % {"n": count}
            else:
                raise Http404("No such step.")
        except services.StudioError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return HttpResponseRedirect(self._url("studio", session.pk))

    def export_view(self, request: HttpRequest, object_id: int, kind: str) -> HttpResponse:
        """The client's picks for Lightroom / Capture One (see booker.exports)."""
        session = self._studio_session(request, object_id)
        picks = list(selectors.picks(session))
        base = f"{slugify(session.title) or 'session'}-{session.pk}"
        if kind == "search":
            body, mime, name = exports.search_string(picks), "text/plain; charset=utf-8", \
                f"{base}-search.txt"
        elif kind == "csv":
            # The BOM makes Excel read the clients' accents as UTF-8.
            body, mime, name = exports.picks_csv(picks).encode("utf-8-sig"), \
                "text/csv; charset=utf-8", f"{base}-picks.csv"
        elif kind == "xmp":
            body, mime, name = exports.xmp_zip(picks), "application/zip", f"{base}-xmp.zip"
        else:
            raise Http404("No such export.")
        return HttpResponse(body, content_type=mime, headers={
            "Content-Disposition": content_disposition_header(True, name),
        })


# The session's road, for the step indicator at the top of the studio page.
_ROAD = (Status.BOOKED, Status.SHOT, Status.PROOFING, Status.SELECTION_SUBMITTED,
         Status.RETOUCHING, Status.DELIVERED)


def _steps(status: str) -> list[tuple[str, str, str]]:
    """(value, label, "done" | "current" | "todo") for each step of the road."""
    if status == Status.AWAITING_PAYMENT:  # submitted, extras not paid yet
        here = _ROAD.index(Status.SELECTION_SUBMITTED)
    elif status not in _ROAD:  # archived counts as past delivery; cancelled stops everything
        here = len(_ROAD) if status in (Status.ARCHIVED, Status.RESTORING) else -1
    else:
        here = _ROAD.index(status)
    return [
        (s.value, s.label, "done" if i < here else "current" if i == here else "todo")
        for i, s in enumerate(_ROAD)
    ]


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
            path("mine/", wrap(self.my_jobs_view), name="booker_retouchjob_mine"),
            path("mine/finals/", wrap(csrf_exempt(self.my_finals_view)),
                 name="booker_retouchjob_mine_finals"),
        ]
        return mine + super().get_urls()

    def my_jobs_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        jobs = list(selectors.jobs_of(request.user))
        today = timezone.localdate()
        return TemplateResponse(
            request,
            "admin/booker/retouchjob/my_jobs.html",
            self.studio_context(
                request,
                title=gettext("My retouches"),
                jobs=[(job, rush_thumb_url(job.rush),
                       bool(job.due_date and job.due_date < today)) for job in jobs],
                finals_url=reverse("admin:booker_retouchjob_mine_finals"),
            ),
        )

    def my_finals_view(self, request: HttpRequest) -> HttpResponse:
        """A retoucher drops their finished files; each goes to their own job of that name."""
        if not request.user.has_perm("booker.add_finalphoto"):
            raise PermissionDenied
        back_url = reverse("admin:booker_retouchjob_mine")
        return receive_uploads(
            request,
            lambda request: finals_response(
                request, selectors.jobs_of(request.user), back_url=back_url,
                context=self.studio_context(request),
            ),
        )


# --- CRM: leads and the proof of marketing consents ---------------------------------------------


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("created_at", "name", "email", "subject", "source", "status", "user")
    list_filter = ("status", "source", "created_at")
    list_editable = ("status",)
    search_fields = ("name", "email", "company", "phone", "message", "subject")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "source", "source_url")
    fields = (
        "status", "name", "email", "phone", "company", "subject", "message", "user",
        "source", "source_url", "created_at",
    )


@admin.register(MarketingConsent)
class MarketingConsentAdmin(admin.ModelAdmin):
    """Evidence, not data to edit: what each person agreed to, and when."""

    list_display = ("email", "purpose", "status", "requested_at", "confirmed_at", "withdrawn_at")
    list_filter = ("status", "purpose")
    search_fields = ("email",)
    date_hierarchy = "requested_at"
    fields = (
        "email", "purpose", "status", "consent_text", "source_url", "ip_hash",
        "requested_at", "last_sent_at", "confirmed_at", "withdrawn_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
