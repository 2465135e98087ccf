"""The email template's preview in the admin (issue #16): the HTML version is a page of its own
in a sandboxed frame, under a policy made for it (the email's inline <style> applies, no
script runs), and the admin page around it breaks no rule of the site's policy."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from booker import roles
from booker.automation.defaults import ensure_defaults
from booker.automation.models import EmailTemplate
from tests.booker.factories_studio import PhotoSessionFactory
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_preview_frame_shows_the_styled_email_of_a_real_session(page):
    ensure_defaults()
    template = EmailTemplate.objects.get(key="session-confirmed")
    PhotoSessionFactory(title="Portrait de Claire")
    photographer = user_with_role(roles.PHOTOGRAPHER)
    client = Client()
    client.force_login(photographer)
    page.goto("/")
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": page.url,
    }])
    page.goto(reverse("admin:booker_emailtemplate_change", args=[template.pk]))
    expect(page.locator("[data-preview-subject]")).to_contain_text("est confirmée")
    frame = page.frame_locator("iframe.bo-preview-frame")
    expect(frame.locator(".card")).to_contain_text("Portrait de Claire")
    background = frame.locator("body").evaluate("b => getComputedStyle(b).backgroundColor")
    assert background == "rgb(246, 242, 236)"  # the layout's inline <style> applied
    if os.environ.get("BOOKE_SHOTS"):
        page.screenshot(path=os.environ["BOOKE_SHOTS"] + "/email-preview.png", full_page=True)
