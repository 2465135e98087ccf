"""The contact page's rules: which form field fills which column of a lead, where the studio's
email goes, the honeypot and the rate limit. The lead itself is written by booker.services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from booker import http, throttle

# A field hidden from people (CSS, aria-hidden, no tab stop): only robots fill it in.
HONEYPOT = "site_web"
RATE_LIMIT_NAME = "contact"
TOO_MANY_MESSAGE = _("Too many messages sent from your connection. Please try again later.")

# Form fields' names (Wagtail's clean names, from their labels) → the lead's columns.
LEAD_FIELDS = {
    "name": ("name", "nom", "nom_complet", "prenom_et_nom", "votre_nom"),
    "email": ("email", "e_mail", "courriel", "adresse_e_mail", "votre_e_mail"),
    "phone": ("phone", "telephone", "tel", "portable", "votre_telephone"),
    "company": ("company", "societe", "entreprise"),
    "subject": ("subject", "sujet", "objet", "type_de_seance", "seance", "session_type"),
    "message": ("message", "votre_message", "demande", "votre_demande"),
}


client_ip = http.client_ip


def rate_exceeded(request: HttpRequest) -> bool:
    """Counts this message per IP; True past settings.BOOKE_RATE_LIMITS["contact"]."""
    return throttle.attempt_for(request, RATE_LIMIT_NAME) is not None


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def lead_fields(form_fields: Iterable, cleaned_data: dict) -> dict[str, str]:
    """The lead's columns from a submission; fields that fit no column go into the message,
    one "Label : value" line each, so that nothing the person wrote is lost."""
    names = {alias: column for column, aliases in LEAD_FIELDS.items() for alias in aliases}
    lead: dict[str, str] = {}
    extra: list[str] = []
    for field in form_fields:
        value = _text(cleaned_data.get(field.clean_name)).strip()
        column = names.get(field.clean_name)
        if column is None and field.field_type == "email" and "email" not in lead:
            column = "email"
        if column is not None and column not in lead:
            lead[column] = value
        elif value:
            extra.append(f"{field.label} : {value}")
    message = "\n\n".join(part for part in (lead.get("message", ""), "\n".join(extra)) if part)
    return {**lead, "message": message}


def lead_source(page) -> str:
    # Data the studio filters on in the CRM, not an interface text: written in its language.
    return f"Formulaire de contact — {page.title}"


def default_subject(page) -> str:
    return gettext("New message from the site (%(title)s)") % {"title": page.title}


def studio_recipients(page) -> list[str]:
    """The page's recipients, or else the studio's email from the site settings."""
    if page.to_address:
        return [address.strip() for address in page.to_address.split(",") if address.strip()]
    from editorial.site.models import StudioSettings

    site = page.get_site()
    studio = StudioSettings.objects.filter(site=site).first() if site else None
    return [studio.email] if studio and studio.email else []
