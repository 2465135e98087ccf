"""Everything the studio holds about one person, as one JSON document (the GDPR's right of
access, issue 21): a registry of named sections, each a function of the person.

The Booker registers its own sections (booker.privacy, from BookerConfig.ready); the shop
registers its orders, addresses, reviews and wish lists from its own AppConfig.ready, since
the Booker may not import the shop. A section returns plain JSON values (dates as datetimes,
amounts as Decimals: the encoder writes them as ISO 8601 and text), English snake_case keys,
and never a secret: no password hash, second-factor key, token or signing secret."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from booker.people.models import User

# Bumped when a section changes shape, so that whoever reads an old export knows which one.
FORMAT = "booke.personal_data/1"

Section = Callable[[User], Any]
_sections: dict[str, Section] = {}


def register(name: str, fn: Section) -> None:
    """Add `fn(user)` to every export under the key `name` (registering it again counts
    once; two different functions may not share a name, one would hide the other)."""
    known = _sections.get(name)
    if known is not None and known is not fn:
        raise ValueError(f"The personal data section {name!r} is already registered.")
    _sections[name] = fn


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
