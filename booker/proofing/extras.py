"""The extras rule: the picks beyond a session's quota, what they cost and which photos they are.

The one place that does this arithmetic (on a company's headshot day, per person:
`extras_per_sitter`). Every other place asks `extras()` (or
`photos_paid_for()`): the pick refusal and the submission (booker/proofing/services.py), the
payment check (`extras_paid`), the portal's counter and submit page (booker/views/portal.py;
portal.js only displays what the server computed), and the shop's extras line (its unit price
and how many photos a paid amount covers). tests/booker/test_extras_rule.py fails when quota
arithmetic appears anywhere else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from booker.models import PhotoSession


@dataclass(frozen=True)
class Extras:
    """A selection of `picked` photos measured against its package."""

    picked: int
    quota: int
    # None: the package sells no extra photo and the quota is a hard limit.
    unit_price: Decimal | None
    # The rush ids beyond the quota, when the picks were given as ids in gallery order: the
    # last ones (which picks are "the extras" is arbitrary; this order keeps the shop's line
    # stable).
    rush_ids: tuple[int, ...] = ()
    # On a headshot day the quota is each sitter's: the picks of each person, counted apart
    # (empty: one quota for the whole selection).
    per_person: tuple[int, ...] = ()

    @property
    def sells(self) -> bool:
        return self.unit_price is not None

    @property
    def included(self) -> int:
        """The picks the package pays for."""
        if self.per_person:
            return sum(min(n, self.quota) for n in self.per_person)
        return min(self.picked, self.quota)

    @property
    def beyond(self) -> int:
        """Picks beyond the quota, sold or not (a package changed since the picks may leave
        some that cannot be bought)."""
        if self.per_person:
            return sum(max(0, n - self.quota) for n in self.per_person)
        return max(0, self.picked - self.quota)

    @property
    def count(self) -> int:
        """The extra photos the client pays for: none when the package sells none."""
        return self.beyond if self.sells else 0

    @property
    def total(self) -> Decimal:
        return self.count * self.unit_price if self.count else Decimal("0.00")

    @property
    def may_pick_another(self) -> bool:
        """Whether one more pick is allowed: always when extras are sold, else up to the quota
        (asked of one person's picks on a headshot day)."""
        return self.sells or self.picked < self.quota

    def as_json(self) -> dict[str, object]:
        """The rule's answer for the gallery's script, which displays it and computes nothing."""
        return {
            "picked": self.picked,
            "quota": self.quota,
            "included": self.included,
            "extra": self.count,
            "unit_price": None if self.unit_price is None else str(self.unit_price),
            "total": str(self.total),
        }


def extras(session: PhotoSession, picked: int | Sequence[int]) -> Extras:
    """THE extras rule for `session` and its picks: a count, or the picked rush ids in gallery
    order (then `rush_ids` says which of them are the extras)."""
    if isinstance(picked, int):
        return Extras(picked, session.quota, session.extra_photo_price)
    ids = tuple(picked)
    return Extras(len(ids), session.quota, session.extra_photo_price, ids[session.quota:])


def extras_per_sitter(session: PhotoSession, picks: Sequence[tuple[int | None, int]]) -> Extras:
    """THE extras rule on a headshot day: the package's quota is each sitter's. `picks` are
    (sitter id, rush id) in gallery order, the photos without a sitter counting as one more
    person; each person's picks beyond the quota are the extras, the last ones of theirs in
    gallery order; `rush_ids` lists them all, in gallery order."""
    by_sitter: dict[int | None, list[int]] = {}
    for sitter_id, rush_id in picks:
        by_sitter.setdefault(sitter_id, []).append(rush_id)
    beyond = {rush_id for ids in by_sitter.values() for rush_id in ids[session.quota:]}
    return Extras(
        len(picks), session.quota, session.extra_photo_price,
        tuple(rush_id for _sitter, rush_id in picks if rush_id in beyond),
        per_person=tuple(len(ids) for ids in by_sitter.values()),
    )


def photos_paid_for(session: PhotoSession, quantity: int, amount: Decimal) -> int:
    """How many extra photos of `session` an order line paid for: its quantity, and no more
    than its `amount` (before the shop's own discounts) covers at the session's price."""
    count = max(int(quantity or 0), 0)
    price = extras(session, 0).unit_price
    if price and price > 0:
        count = min(count, int(amount // price))
    return count
