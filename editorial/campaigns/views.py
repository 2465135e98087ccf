"""The CMS's "Send" page of a campaign: choose a segment, see how many people it holds and the
email as it will look, then send. The Booker takes it from there (booker.marketing)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booker.marketing import selectors as marketing
from booker.marketing import services as marketing_services
from booker.marketing.models import Segment

from .models import CampaignContent
from .rendering import render as render_campaign

SEND_PERMISSION = "editorial_campaigns.send_campaigncontent"


class SendForm(forms.Form):
    segment = forms.ModelChoiceField(label=gettext_lazy("Segment"),
                                     queryset=Segment.objects.order_by("name"))
    confirm = forms.BooleanField(label=gettext_lazy("I checked the email: send it"),
                                 required=False)


def send(request: HttpRequest, pk: str) -> HttpResponse:
    if not request.user.has_perm(SEND_PERMISSION):
        raise PermissionDenied
    content = get_object_or_404(CampaignContent, pk=pk)
    form = SendForm(request.POST or request.GET or None)
    rendered = render_campaign(content)
    count = None
    if form.is_bound and form.is_valid():
        segment = form.cleaned_data["segment"]
        count, _first = marketing.preview(segment, 0)
        if request.method == "POST" and form.cleaned_data["confirm"]:
            marketing_services.create_campaign(
                segment, name=f"{content.title} → {segment.name}", subject=rendered.subject,
                body_html=rendered.html, body_text=rendered.text,
                source=f"editorial_campaigns.campaigncontent:{content.pk}",
                created_by=request.user)
            messages.success(request, _("The campaign is on its way to “%(segment)s”: the "
                                        "studio follows each email in its back office.")
                             % {"segment": segment.name})
            return redirect(CampaignContent.snippet_viewset.get_url_name("list"))
    return render(request, "editorial/campaigns/send.html", {
        "content": content, "form": form, "count": count, "rendered": rendered,
    })
