"""Where a rush's original lives: online, or in the archive tier once its copy is verified."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from booker.machine import StateMachine
from booker.models import Rush

Tier = Rush.Tier

ORIGINAL_TIER = StateMachine(
    name="original",
    model="booker.Rush",
    field="original_tier",
    states=Tier,
    owner="booker.archive.services",
    initial=Tier.ONLINE,
    refusal=_("An original cannot go from “%(from)s” to “%(to)s”."),
    moves={
        # Only once the archived copy is verified (archive.services._archive_one).
        Tier.ONLINE: frozenset({Tier.ARCHIVE}),
        # A restore brings it back (archive.services._bring_back).
        Tier.ARCHIVE: frozenset({Tier.ONLINE}),
    },
)
