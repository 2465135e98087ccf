"""State machines: for each thing of the studio that has a status, one table of the moves it
allows. The table is the rule; one function per thing (the thing's `machine.py`) makes a move:
it checks the table, locks or compares-and-sets the row, records the typed event and says what
changed. Selectors ask the same table what can happen next, so a page never keeps its own copy.

`booker.machines.machines()` lists them all: docs/architecture.md draws them, and
tests/booker/test_state_machines.py fails when a status is written anywhere but here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _

from booker.errors import IllegalTransition


@dataclass(frozen=True)
class StateMachine:
    """The allowed moves of one status field of one model."""

    name: str
    model: str  # "booker.PhotoSession": the model whose field this is
    field: str  # the status field the table rules
    states: type[models.TextChoices]
    moves: Mapping[str, frozenset[str]]
    # The one module that writes the field (its `move` function lives there).
    owner: str
    # The refusal, in the person's words: %(from)s and %(to)s are the states' labels.
    refusal: str = ""
    initial: str = ""
    # Moves that need no status change to be recorded (a retry of a pending rush): allowed
    # from a state to itself.
    loops: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        known = set(self.states.values)
        for source, targets in self.moves.items():
            if source not in known or not set(targets) <= known:
                raise ValueError(f"{self.name}: unknown state in {source!r} -> {set(targets)}")
        missing = known - set(self.moves)
        if missing:
            raise ValueError(f"{self.name}: no row for {sorted(missing)}")

    def allows(self, source: str, target: str) -> bool:
        return target in self.moves[source] or (source == target and source in self.loops)

    def next_states(self, source: str) -> frozenset[str]:
        return self.moves[source]

    def check(self, source: str, target: str) -> None:
        """Raise IllegalTransition, in the person's words, unless `source -> target` is allowed."""
        if not self.allows(source, target):
            raise IllegalTransition(
                str(self.refusal or _("This cannot go from “%(from)s” to “%(to)s”."))
                % {"from": self.states(source).label, "to": self.states(target).label}
            )

    def move_rows(self, rows: models.QuerySet, source: str, target: str, **fields) -> int:
        """Compare-and-set: move the rows of `rows` that are still at `source` to `target`
        (with `fields` written in the same UPDATE) and return how many moved; 0 means another
        worker or request moved them first. The one writer of every status field: callers
        lock the row first (`select_for_update`) or narrow `rows` to what they hold."""
        self.check(source, target)
        return rows.filter(**{self.field: source}).update(**{self.field: target}, **fields)

    def sources_of(self, target: str) -> frozenset[str]:
        """The states a move to `target` may start from (a compare-and-set's `where`)."""
        return frozenset(s for s, targets in self.moves.items() if target in targets)

    def edges(self) -> Iterable[tuple[str, str]]:
        for source, targets in self.moves.items():
            for target in sorted(targets):
                yield source, target

    def mermaid(self) -> str:
        """The table as a Mermaid state diagram (docs/architecture.md)."""
        lines = ["stateDiagram-v2"]
        if self.initial:
            lines.append(f"    [*] --> {self.initial}")
        for source, target in self.edges():
            lines.append(f"    {source} --> {target}")
        for state in sorted(self.loops):
            lines.append(f"    {state} --> {state}")
        return "\n".join(lines)

