"""Everything the studio holds about one person, as one JSON document (the GDPR's right of
access, issue 21): a registry of named sections, each a function of the person.

The Booker registers its own sections (booker.privacy, from BookerConfig.ready); the shop
registers its orders, addresses, reviews and wish lists from its own AppConfig.ready, since
the Booker may not import the shop. A section returns plain JSON values (dates as datetimes,
amounts as Decimals: the encoder writes them as ISO 8601 and text), English snake_case keys,
and never a secret: no password hash, second-factor key, token or signing secret.

Erasure (the right to be forgotten) goes through the same registry: a section may come with
an `erase(user)` that deletes or anonymises what it exports and returns how many rows it
touched; each receives the person as they were before the erasure began (`erase`). Files are
the Booker's business (booker.erasure).

A company's data (a company's request, or the end of a B2B relation) has a registry of its
own, alike: `register_company`, `export_company`, `erase_company`."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from booker.people.models import Company, User

# Bumped when a section changes shape, so that whoever reads an old export knows which one.
FORMAT = "booke.personal_data/1"

Section = Callable[[User], Any]
Eraser = Callable[[User], int]
_sections: dict[str, Section] = {}
_erasers: dict[str, Eraser] = {}
_labels: dict[str, Any] = {}


def register(name: str, fn: Section, erase: Eraser | None = None, label: Any = None) -> None:
    """Add `fn(user)` to every export under the key `name`, and `erase(user)` to every
    erasure; `label` names the section to the studio (the erasure's confirmation page).
    Registering it again counts once; two different functions may not share a name, one
    would hide the other."""
    known = _sections.get(name)
    if known is not None and known is not fn:
        raise ValueError(f"The personal data section {name!r} is already registered.")
    _sections[name] = fn
    if erase is not None:
        _erasers[name] = erase
    if label is not None:
        _labels[name] = label


def label(name: str) -> str:
    return str(_labels.get(name, name))


def unerased_sections() -> list[str]:
    """Sections exported with nothing to erase them: a section added without its `erase`."""
    return [name for name in _sections if name not in _erasers]


def summary(user: User) -> dict[str, int]:
    """How many entries each section holds about `user` (what an erasure will touch), from
    the export itself so that the two never disagree."""
    counts = {}
    for name, value in export(user).items():
        if name in _sections:
            counts[name] = _size(value)
    return counts


def _size(value: Any) -> int:
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict):
        # A section of sub-lists (invitations: studio, team) counts their entries.
        if value and all(isinstance(v, list) for v in value.values()):
            return sum(len(v) for v in value.values())
        return 1
    return 0 if value is None else 1


def erase(user: User) -> dict[str, int]:
    """Delete or anonymise every section's data about `user`; the rows each touched, by
    section. The caller holds the transaction; `user` is read again from the database after.

    Each part receives the person as they were before any part ran (a copy), since parts find
    rows by the email and names the account part anonymises, and apps register in the order
    of INSTALLED_APPS, which says nothing of the order they must run in."""
    as_it_was = copy.copy(user)
    counts = {name: fn(copy.copy(as_it_was)) for name, fn in _erasers.items()}
    user.refresh_from_db()
    return counts


def section_names() -> list[str]:
    return list(_sections)


def export(user: User) -> dict[str, Any]:
    """The person's data, section by section, in the order they were registered."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "person_id": user.pk,
    }
    for name, fn in _sections.items():
        document[name] = fn(user)
    return document


def export_json(user: User) -> str:
    """`export(user)` as the file the studio hands over: UTF-8 text, indented for a reader."""
    return json.dumps(export(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def filename(user: User) -> str:
    return f"donnees-personnelles-{user.pk}-{timezone.localdate():%Y-%m-%d}.json"


# --- A company's data ---------------------------------------------------------------------------

CompanySection = Callable[[Company], Any]
CompanyEraser = Callable[[Company], int]
_company_sections: dict[str, CompanySection] = {}
_company_erasers: dict[str, CompanyEraser] = {}
_company_labels: dict[str, Any] = {}


def register_company(name: str, fn: CompanySection, erase: CompanyEraser,
                     label: Any = None) -> None:
    """Add `fn(company)` to every company export under `name`, and `erase(company)` to every
    company erasure (run in the order registered)."""
    known = _company_sections.get(name)
    if known is not None and known is not fn:
        raise ValueError(f"The company data section {name!r} is already registered.")
    _company_sections[name] = fn
    _company_erasers[name] = erase
    if label is not None:
        _company_labels[name] = label


def company_label(name: str) -> str:
    return str(_company_labels.get(name, name))


def export_company(company: Company) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "company_id": company.pk,
    }
    for name, fn in _company_sections.items():
        document[name] = fn(company)
    return document


def export_company_json(company: Company) -> str:
    return json.dumps(export_company(company), cls=DjangoJSONEncoder, ensure_ascii=False,
                      indent=2)


def company_filename(company: Company) -> str:
    return f"donnees-entreprise-{company.pk}-{timezone.localdate():%Y-%m-%d}.json"


def company_summary(company: Company) -> dict[str, int]:
    return {name: _size(value) for name, value in export_company(company).items()
            if name in _company_sections}


def erase_company(company: Company) -> dict[str, int]:
    """Every company section's erase, each given the company as it was before any ran (the
    caller holds the transaction)."""
    as_it_was = copy.copy(company)
    counts = {name: fn(copy.copy(as_it_was)) for name, fn in _company_erasers.items()}
    company.refresh_from_db()
    return counts
