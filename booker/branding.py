"""Who the studio is, for whatever speaks in its name (the emails' layout, invoices, documents):
one dict with the same keys everywhere, whichever app keeps the details.

The booker only knows the `BOOKE_STUDIO` setting (the legal details, from the environment). The
apps built on it may keep better ones, the site its editors' "studio details" in Wagtail, and
the booker must not import them (dependencies point editorial → shop → booker). So an app
registers a *provider* from its `AppConfig.ready()`, a callable returning some of the keys, as
booker/links.py does for links; a value a provider fills in wins over the setting's, an empty
one leaves it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings

from .mail import absolute_url, site_url

logger = logging.getLogger(__name__)

KEYS = (
    "name",
    "legal_name",
    "email",
    "phone",
    "address",
    "siret",
    "vat_number",
    "iban",
    "logo_url",
    "site_url",
)

StudioDetailsProvider = Callable[[], dict]

# Keyed by the provider's dotted name, so that registering again (ready() runs more than once in
# some test set-ups) replaces a provider instead of asking it twice.
_providers: dict[str, StudioDetailsProvider] = {}


def register_studio_details(provider: StudioDetailsProvider) -> None:
    """Ask `provider()` for the studio's details each time they are read; later registrations
    win over earlier ones, key by key."""
    _providers[f"{provider.__module__}.{provider.__qualname__}"] = provider


def unregister_studio_details(provider: StudioDetailsProvider) -> None:
    _providers.pop(f"{provider.__module__}.{provider.__qualname__}", None)


def registered_providers() -> list[StudioDetailsProvider]:
    return list(_providers.values())


def studio_details() -> dict[str, str]:
    """The studio's name, legal name, email, phone, address, SIRET, VAT number, IBAN, logo URL
    (absolute) and site address: every key of `KEYS`, each a string, "" when nobody knows it."""
    configured = getattr(settings, "BOOKE_STUDIO", {}) or {}
    details = {key: _text(configured.get(key)) for key in KEYS}
    # BOOKE_STUDIO's "name" is the seller's legal name (invoices): the name the studio goes by
    # is a provider's, or the same while none says otherwise.
    details["legal_name"] = _text(configured.get("legal_name") or configured.get("name"))
    for provider in registered_providers():
        try:
            provided = provider() or {}
        except Exception:
            # An email still goes out with the setting's details rather than not at all.
            logger.exception("studio details provider %r failed", provider)
            continue
        details.update({key: _text(provided[key]) for key in KEYS if provided.get(key)})
    details["logo_url"] = absolute_url(details["logo_url"]) if details["logo_url"] else ""
    details["site_url"] = site_url()
    return details


def _text(value: object) -> str:
    return "" if value is None else str(value)
