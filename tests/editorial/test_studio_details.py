"""The studio's details for emails (booker.branding.studio_details) are the ones editors keep in
Wagtail's studio settings of the default site, and BOOKE_STUDIO's where they left them empty."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from booker.branding import studio_details
from editorial.site.models import StudioSettings
from tests.editorial.trees import picture

pytestmark = pytest.mark.django_db


@pytest.fixture
def studio(settings):
    settings.SITE_URL = "https://studio.example.fr"
    settings.BOOKE_STUDIO = {
        "name": "Studio Booké SARL",
        "address": "8 rue des Photographes\n69002 Lyon",
        "siret": "85234567800017",
        "email": "facturation@booke.test",
    }


def test_the_wagtail_settings_values_when_editors_set_them(studio):
    site = Site.objects.get(is_default_site=True)
    StudioSettings.objects.create(
        site=site, name="Booké", email="bonjour@booke.test", phone="04 78 00 00 00",
        address="", logo=picture("Logo"),
    )

    details = studio_details()

    assert details["name"] == "Booké"
    assert details["legal_name"] == "Studio Booké SARL"
    assert details["email"] == "bonjour@booke.test"
    assert details["phone"] == "04 78 00 00 00"
    assert details["address"] == "8 rue des Photographes\n69002 Lyon"  # left empty in Wagtail
    assert details["siret"] == "85234567800017"
    assert details["logo_url"].startswith("https://studio.example.fr/media/")
    assert details["site_url"] == "https://studio.example.fr"


def test_the_settings_values_while_editors_have_saved_nothing(studio):
    assert not StudioSettings.objects.exists()

    details = studio_details()

    assert details["name"] == "Studio Booké SARL"
    assert details["email"] == "facturation@booke.test"
    assert details["phone"] == details["logo_url"] == ""
