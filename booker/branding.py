"""The studio's details for emails and documents: settings.BOOKE_STUDIO, overlaid by what a
registered provider says (the site's settings, edited in the CMS), so the Booker reads the
studio's name and address without importing Wagtail."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

KEYS = ("name", "legal_name", "email", "phone", "address", "siret", "vat_number", "iban",
        "logo_url", "site_url")
_providers: list[Callable[[], dict]] = []


def register_studio_details(provider: Callable[[], dict]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def studio_details() -> dict[str, str]:
    base = settings.BOOKE_STUDIO
    details = {key: str(base.get(key, "") or "") for key in KEYS}
    details["legal_name"] = details["legal_name"] or str(base.get("name", ""))
    details["site_url"] = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    for provider in _providers:
        details.update({k: str(v) for k, v in provider().items() if k in KEYS and v})
    return details
