"""The CRM in the studio's admin: contacts (one per person, one per company), with their
leads, the studio's notes and follow-up tasks; the leads and their pipeline's board. Registered
by importing this module from booker/admin.py; photographers hold these models' permissions
(migrations 0010 and 0038)."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from booker.crm import selectors, services, timeline
from booker.crm.machine import LEAD, NEXT_STAGE
from booker.errors import IllegalTransition, StudioError
from booker.models import (
    Contact,
    ContactNote,
    ContactTask,
    Lead,
    MarketingConsent,
    PhotoSession,
    User,
)

Purpose = MarketingConsent.Purpose
GIVEN, WITHDRAWN = "given", "withdrawn"


def timeline_html(contact: Contact | None, *, session: PhotoSession | None = None) -> SafeString:
    """The contact's timeline as the admin shows it (a read-only panel)."""
    entries = timeline.timeline(contact, session=session) if contact is not None else []
    return render_to_string("admin/booker/contact/timeline.html", {"entries": entries})


def staff_members() -> QuerySet[User]:
    """Whom a task may fall to: the studio's active staff."""
    return User.objects.filter(is_active=True, is_staff=True).order_by("first_name", "email")


class AuthoredInline(admin.TabularInline):
    """Notes and tasks: their author is whoever writes them, never typed."""

    extra = 1

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = staff_members()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def save_authored(request: HttpRequest, formset, **fixed) -> None:
    """Save an inline of notes or tasks with their author (and `fixed` fields) set."""
    for obj in formset.save(commit=False):
        if obj.pk is None:
            obj.author = request.user
        for name, value in fixed.items():
            setattr(obj, name, value)
        obj.save()
    for obj in formset.deleted_objects:
        obj.delete()
    formset.save_m2m()


class ContactNoteInline(AuthoredInline):
    model = ContactNote
    fields = ["body", "session", "author", "created_at"]
    readonly_fields = ["session", "author", "created_at"]


class ContactTaskInline(AuthoredInline):
    model = ContactTask
    fields = ["title", "due_on", "assignee", "done", "session", "author"]
    readonly_fields = ["session", "author"]


class ContactLeadInline(admin.TabularInline):
    """The contact's requests, read here (followed up on the leads' board)."""

    model = Lead
    fields = ["created_at", "subject", "status", "lead_link"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("lead"))
    def lead_link(self, obj: Lead) -> str:
        url = reverse("admin:booker_lead_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.name or obj.email)


class SessionNoteInline(ContactNoteInline):
    """Notes written on a session's page: on the timeline of the session's contact."""

    fk_name = "session"
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]


class SessionTaskInline(ContactTaskInline):
    fk_name = "session"
    fields = ["title", "due_on", "assignee", "done", "author"]
    readonly_fields = ["author"]


def posted_inline(request: HttpRequest, inline: type[admin.TabularInline]) -> bool:
    """Whether the posted form carries `inline`'s formset (its management form)."""
    prefix = inline.model._meta.get_field(inline.fk_name).remote_field.get_accessor_name()
    return f"{prefix}-TOTAL_FORMS" in request.POST


def save_session_formset(request: HttpRequest, formset, session: PhotoSession) -> bool:
    """Save the notes or tasks inline of a session's page on its contact; False when the
    formset is not one of the CRM's."""
    if formset.model not in (ContactNote, ContactTask):
        return False
    save_authored(request, formset, contact=services.contact_of_session(session))
    return True


def session_timeline(session: PhotoSession) -> SafeString:
    # An account opened before the CRM's hooks (the superuser's add form, a seed) gets its
    # contact here, the first time the studio looks.
    return timeline_html(services.contact_of_session(session), session=session)


class ConsentForm(forms.Form):
    """A consent the person gave or withdrew outside the site, as staff record it."""

    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=[(p.value, p.label)
                                     for p in (Purpose.MARKETING, Purpose.PHOTO_USE)])
    decision = forms.ChoiceField(
        label=_("The person"), widget=forms.RadioSelect,
        choices=[(GIVEN, _("gives their consent")), (WITHDRAWN, _("withdraws it"))])
    source = forms.ChoiceField(
        label=_("How it was given"), choices=[(s, MarketingConsent.Source(s).label)
                                 for s in services.STAFF_SOURCES])
    consent_text = forms.CharField(
        label=_("Text the person agreed to"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The words they signed or heard, as they were: the studio's current text "
                    "for this purpose is filled in."))
    given_on = forms.DateField(
        label=_("Date given"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When the person said it (the form's signature date, the call)."))

    def clean_given_on(self):
        day = self.cleaned_data["given_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A consent cannot be dated in the future."))
        return day

    def given_at(self) -> datetime:
        # Said today: now. An earlier day's hour is unknown: midday keeps its date in any
        # time zone the studio reads it from.
        day = self.cleaned_data["given_on"]
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(day, time(12)))


def consents_html(contact: Contact) -> SafeString:
    """The contact's consents, newest first, from any address they had (read-only: proof)."""
    return render_to_string("admin/booker/contact/consents.html", {
        "consents": selectors.consents_of(contact), "contact": contact})


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    change_form_template = "admin/booker/contact/change_form.html"
    list_display = ["name", "email", "kind", "user", "company", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["name", "email", "phone", "user__email", "company__name"]
    list_select_related = ["user", "company"]
    inlines = [ContactLeadInline, ContactNoteInline, ContactTaskInline]

    def get_fields(self, request: HttpRequest, obj: Contact | None = None):
        if obj is None:
            return ["name", "email", "phone"]
        fields = ["kind", "name", "email", "phone", "user", "company", "created_at"]
        if obj.kind == Contact.Kind.PERSON:
            fields.append("consents_panel")
        return [*fields, "timeline_panel"]

    def get_readonly_fields(self, request: HttpRequest, obj: Contact | None = None):
        # Accounts and companies are linked by the CRM's services, never typed here; the
        # address of an account's contact follows the account's (crm.account_email_changed).
        if obj is None:
            return []
        fixed = ["kind", "user", "company", "created_at", "consents_panel", "timeline_panel"]
        return ["email", *fixed] if obj.user_id else fixed

    @admin.display(description=_("timeline"))
    def timeline_panel(self, obj: Contact) -> SafeString:
        return timeline_html(obj)

    @admin.display(description=_("consents"))
    def consents_panel(self, obj: Contact) -> SafeString:
        return consents_html(obj)

    def render_change_form(self, request: HttpRequest, context, add=False, change=False,
                           form_url="", obj=None):
        # The page's "Record a consent" button, for whoever may record one.
        context["record_consent_url"] = (
            reverse("admin:booker_contact_consent", args=[obj.pk])
            if obj is not None and self.may_record_consent(request, obj) else "")
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- Consents given outside the site ---------------------------------------------------

    def may_record_consent(self, request: HttpRequest, contact: Contact) -> bool:
        """Whoever may change the CRM's contacts records what a person agreed to (a person's
        contact with an address: consents are kept per person)."""
        return (self.has_change_permission(request, contact)
                and contact.kind == Contact.Kind.PERSON and bool(contact.email))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<id:object_id>/consentement/", wrap(self.record_consent),
                 name="booker_contact_consent"),
            *super().get_urls(),
        ]

    def record_consent(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """"Enregistrer un consentement": a model release signed at the shoot, a yes at a
        fair, a call asking to stop — recorded as the person gave it, by whoever records it
        (booker.crm.services.record_consent)."""
        contact = get_object_or_404(Contact, pk=object_id)
        if not self.has_change_permission(request, contact):
            raise PermissionDenied
        back = reverse("admin:booker_contact_change", args=[contact.pk])
        if not self.may_record_consent(request, contact):
            messages.error(request, gettext("Consents are recorded on a person's contact that "
                                            "has an email address."))
            return HttpResponseRedirect(back)
        purpose = request.GET.get("purpose", Purpose.MARKETING)
        if purpose not in (Purpose.MARKETING, Purpose.PHOTO_USE):
            purpose = Purpose.MARKETING
        decision = WITHDRAWN if request.GET.get("decision") == WITHDRAWN else GIVEN
        form = ConsentForm(request.POST if request.method == "POST" else None, initial={
            "purpose": purpose, "decision": decision,
            "source": MarketingConsent.Source.PAPER_FORM if purpose == Purpose.PHOTO_USE
            else MarketingConsent.Source.IN_PERSON,
            "consent_text": services.consent_text(purpose, granted=decision == GIVEN),
            "given_on": timezone.localdate()})
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.record_consent(
                    contact, data["purpose"], granted=data["decision"] == GIVEN,
                    source=data["source"], consent_text=data["consent_text"],
                    given_at=form.given_at(), recorded_by=request.user)
            except StudioError as refused:
                form.add_error(None, str(refused))
            else:
                done = (gettext("Consent recorded: %(purpose)s.") if row.confirmed_at
                        else gettext("Withdrawal recorded: %(purpose)s."))
                messages.success(request, done % {"purpose": row.get_purpose_display()})
                return HttpResponseRedirect(back)
        decisions = dict(ConsentForm.base_fields["decision"].choices)
        prefill = [(p.label, decisions[d], f"?purpose={p.value}&decision={d}")
                   for p in (Purpose.MARKETING, Purpose.PHOTO_USE) for d in (GIVEN, WITHDRAWN)]
        return TemplateResponse(request, "admin/booker/contact/consent_form.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Record a consent"),
            "contact": contact,
            "form": form,
            "prefill": prefill,
            "back": back,
        }, status=400 if form.is_bound else 200)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model in (ContactNote, ContactTask):
            save_authored(request, formset)
        else:
            super().save_formset(request, form, formset, change)


# --- Leads and their pipeline ----------------------------------------------------------------


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """The requests the studio receives. Their stage moves on the board (or by a booking),
    through the pipeline's state machine: never typed in the form."""

    change_list_template = "admin/booker/lead/change_list.html"
    list_display = ("created_at", "name", "email", "subject", "origin", "estimated_value",
                    "status", "contact")
    list_filter = ("status", "origin", "source", "created_at")
    search_fields = ("name", "email", "company", "phone", "message", "subject")
    date_hierarchy = "created_at"
    list_select_related = ("user", "contact")
    raw_id_fields = ("user",)
    readonly_fields = ("status", "created_at", "source", "source_url", "contact", "booking")
    fields = (
        "status", "origin", "estimated_value", "name", "email", "phone", "company", "subject",
        "message", "booking", "user", "contact", "source", "source_url", "created_at",
    )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("tableau/", wrap(self.board), name="booker_lead_board"),
            path("<id:object_id>/deplacer/", wrap(self.move), name="booker_lead_move"),
            *super().get_urls(),
        ]

    def board(self, request: HttpRequest) -> HttpResponse:
        """The pipeline: one column per stage, a card per lead with its buttons."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        columns = selectors.pipeline_board()
        may_move = self.has_change_permission(request)
        for column in columns:
            for lead in column.leads:
                lead.next_stage = NEXT_STAGE.get(lead.status)
                lead.next_label = (Lead.Status(lead.next_stage).label
                                   if lead.next_stage else "")
                lead.may_lose = LEAD.allows(lead.status, Lead.Status.LOST)
                lead.may_reopen = LEAD.allows(lead.status, Lead.Status.NEW)
        return TemplateResponse(request, "admin/booker/lead/board.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Leads board"),
            "columns": columns,
            "may_move": may_move,
        })

    def move(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """A card's button (a POST): the lead to the stage asked, back to the board."""
        lead = get_object_or_404(Lead, pk=object_id)
        if not self.has_change_permission(request, lead):
            raise PermissionDenied
        board = HttpResponseRedirect(reverse("admin:booker_lead_board"))
        if request.method != "POST":
            return board
        to = request.POST.get("to", "")
        if to not in Lead.Status.values:
            messages.error(request, gettext("Unknown stage."))
            return board
        try:
            moved = services.move_lead(lead, to, actor=request.user)
        except IllegalTransition as exc:
            messages.error(request, str(exc))
            return board
        if moved:
            messages.success(request, gettext("%(lead)s: now “%(stage)s”.") % {
                "lead": lead.name or lead.email, "stage": Lead.Status(to).label})
        else:
            messages.warning(request, gettext("This lead changed meanwhile; see the board."))
        return board
