"""The contact page: a form editors build in Wagtail. Each submission is kept by Wagtail (the
page's "Submissions" list), recorded as a lead in the studio's CRM and emailed to the studio."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField, FormMixin
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField

from booker import services as booker
from editorial.public_url import PublicUrlMixin

from . import services

INTRO_FEATURES = ["bold", "italic", "link"]


class ContactFormField(AbstractFormField):
    page = ParentalKey("ContactPage", on_delete=models.CASCADE, related_name="form_fields")

    class Meta(AbstractFormField.Meta):
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")


class ContactPage(PublicUrlMixin, AbstractEmailForm):
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)
    thank_you_text = RichTextField(
        _("thank-you text"), blank=True, features=INTRO_FEATURES,
        help_text=_("Shown once the form is sent."),
    )

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel(
            "form_fields",
            heading=_("Form fields"),
            label=_("form field"),
            help_text=_(
                "Fields labelled Nom, E-mail, Téléphone, Société, Type de séance and Message fill "
                "in the lead's columns; the others are added to its message."
            ),
        ),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("Email to the studio"),
            help_text=_("Empty recipient: the studio's email address from the settings."),
        ),
    ]

    max_count = 1
    parent_page_types = ["editorial.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("contact page")
        verbose_name_plural = _("contact pages")

    def get_submissions_list_view_class(self):
        # Imported here: Wagtail's form views import the page models.
        from .submissions import SafeSubmissionsListView

        return SafeSubmissionsListView

    def serve(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            response = super().serve(request, *args, **kwargs)
        elif request.POST.get(services.HONEYPOT):
            # A robot filled the field people never see: it is thanked, nothing is kept.
            response = self.render_landing_page(request)
        elif services.rate_exceeded(request):
            form = self.get_form(request.POST, page=self, user=request.user)
            form.is_valid()
            form.add_error(None, services.TOO_MANY_MESSAGE)
            context = self.get_context(request)
            context["form"] = form
            response = TemplateResponse(request, self.get_template(request), context, status=429)
        else:
            response = super().serve(request, *args, **kwargs)
        # The form carries a CSRF token: never kept by a cache, the server's or the browser's.
        add_never_cache_headers(response)
        return response

    def process_form_submission(self, form):
        # Wagtail keeps the submission, the CRM gets its lead, the studio its email.
        submission = FormMixin.process_form_submission(self, form)
        lead = booker.record_lead(
            **services.lead_fields(self.get_form_fields(), form.cleaned_data),
            source=services.lead_source(self),
            source_url=self.full_url or self.url or "",
        )
        self.send_mail(form, reply_to=lead.email)
        return submission

    def send_mail(self, form, reply_to: str = "") -> None:
        recipients = services.studio_recipients(self)
        if not recipients:
            return
        EmailMessage(
            self.subject or services.default_subject(self),
            self.render_email(form),
            from_email=self.from_address or None,
            to=recipients,
            # Answering the email answers the person who wrote.
            reply_to=[reply_to] if reply_to else None,
        ).send()
