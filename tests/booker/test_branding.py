"""booker/branding.py: the studio's details for whatever speaks in its name (emails), from the
BOOKE_STUDIO setting and whatever the apps built on the booker register, with the same keys
always there."""

from __future__ import annotations

import pytest

from booker import branding

KEYS = {
    "name", "legal_name", "email", "phone", "address", "siret", "vat_number", "iban",
    "logo_url", "site_url",
}


@pytest.fixture
def no_providers():
    """No app's provider for one test, then the apps' registrations back."""
    saved = branding.registered_providers()
    for provider in saved:
        branding.unregister_studio_details(provider)
    yield
    for provider in saved:
        branding.register_studio_details(provider)


@pytest.fixture
def studio(settings):
    settings.SITE_URL = "https://studio.example.fr/"
    settings.BOOKE_STUDIO = {
        "name": "Studio Booké SARL",
        "address": "8 rue des Photographes\n69002 Lyon",
        "siret": "85234567800017",
        "vat_number": "FR32852345678",
        "iban": "FR76 3000",
        "email": "facturation@booke.test",
    }


def test_the_settings_alone_give_every_key_missing_ones_empty(no_providers, studio):
    details = branding.studio_details()

    assert set(details) == KEYS
    assert details["name"] == details["legal_name"] == "Studio Booké SARL"
    assert details["email"] == "facturation@booke.test"
    assert details["vat_number"] == "FR32852345678"
    assert details["phone"] == details["logo_url"] == ""
    assert details["site_url"] == "https://studio.example.fr"


def test_a_providers_filled_in_values_win_its_empty_ones_do_not(no_providers, studio):
    def provider() -> dict:
        return {"name": "Booké", "phone": "04 00", "email": "", "logo_url": "/media/logo.png",
                "site_url": "http://elsewhere", "unknown": "x"}

    branding.register_studio_details(provider)
    branding.register_studio_details(provider)  # ready() twice: asked once
    try:
        details = branding.studio_details()
    finally:
        branding.unregister_studio_details(provider)

    assert set(details) == KEYS
    assert (details["name"], details["legal_name"]) == ("Booké", "Studio Booké SARL")
    assert details["phone"] == "04 00"
    assert details["email"] == "facturation@booke.test"
    assert details["logo_url"] == "https://studio.example.fr/media/logo.png"
    assert details["site_url"] == "https://studio.example.fr"  # SITE_URL's alone


def test_a_failing_provider_leaves_the_settings_values(no_providers, studio, caplog):
    def broken() -> dict:
        raise RuntimeError("no table")

    branding.register_studio_details(broken)
    try:
        details = branding.studio_details()
    finally:
        branding.unregister_studio_details(broken)

    assert details["name"] == "Studio Booké SARL"
    assert "studio details provider" in caplog.text
