"""One state machine per status: its table is the only rule, and its function the only writer.

The code is read (AST), not run: a status written anywhere else — an assignment, an
`update(status=…)`, a `create(…, ingest_status=…)`, a `save(update_fields=[…"state"…])` —
fails here, naming the file and line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from booker.errors import IllegalTransition
from booker.machine import StateMachine
from booker.machines import machines
from booker.models import MarketingConsent, PhotoSession, Rush

ROOT = Path(__file__).resolve().parents[2]
APPS = ("booker", "shop", "editorial", "booke")
# The one generic writer (compare-and-set) and the modules that own a machine, which keep their
# in-memory object in step after a move (`session.status = to`).
WRITERS = {"booker/machine.py"}
WRITE_METHODS = {"update", "create", "get_or_create", "update_or_create", "bulk_create"}


def _owned_fields() -> dict[str, set[str]]:
    """Status field name -> modules allowed to assign it on an object."""
    owners: dict[str, set[str]] = {}
    for machine in machines():
        path = machine.owner.replace(".", "/") + ".py"
        owners.setdefault(machine.field, set()).add(path)
    return owners


def _production_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel:
                continue
            yield rel, path


def _status_writes(tree: ast.AST, fields: set[str]):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in WRITE_METHODS:
                for kw in node.keywords:
                    if kw.arg in fields:
                        yield node.lineno, f"{node.func.attr}({kw.arg}=…)", kw.arg
            if node.func.attr == "save":
                for kw in node.keywords:
                    if kw.arg == "update_fields":
                        for elt in ast.walk(kw.value):
                            if isinstance(elt, ast.Constant) and elt.value in fields:
                                yield node.lineno, f"save(update_fields=[{elt.value!r}])", elt.value
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for elt in ast.walk(target):
                    if isinstance(elt, ast.Attribute) and elt.attr in fields:
                        yield node.lineno, f".{elt.attr} = …", elt.attr
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "setattr" and len(node.args) > 1 and \
                isinstance(node.args[1], ast.Constant) and node.args[1].value in fields:
            yield node.lineno, f"setattr(…, {node.args[1].value!r})", node.args[1].value


# Field names only the Booker's models carry: searched in every app. "status" and "state" are
# also the names of the shop's and the comments' own fields, so those two are searched in the
# Booker, where they can only be the Booker's.
BOOKER_ONLY_NAMES = {"ingest_status", "original_tier"}


def test_no_status_is_written_outside_its_state_machine():
    owners = _owned_fields()
    fields = set(owners)
    found = []
    for rel, path in _production_files():
        searched = fields if rel.startswith("booker/") else fields & BOOKER_ONLY_NAMES
        tree = ast.parse(path.read_text(), filename=rel)
        for line, what, field in _status_writes(tree, searched):
            if rel in WRITERS:
                continue
            if what.startswith(".") and rel in owners[field]:
                continue  # the machine's module keeping its object in step after a move
            found.append(f"{rel}:{line}: {what}")
    assert not found, "A status written outside its state machine:\n" + "\n".join(found)


def test_the_status_check_sees_each_kind_of_write():
    """The check above is only as good as what it recognises: each kind of write is caught."""
    code = """
PhotoSession.objects.filter(pk=1).update(status="shot")
Rush.objects.create(session=s, ingest_status="ready")
upload.state = "aborted"
consent.save(update_fields=["status", "confirmed_at"])
setattr(rush, "original_tier", "archive")
PhotoSession.objects.filter(status="shot").count()
"""
    writes = list(_status_writes(ast.parse(code), set(_owned_fields())))
    assert sorted(line for line, _what, _field in writes) == [2, 3, 4, 5, 6]


def test_every_state_machine_has_a_row_for_each_state_and_a_known_owner():
    for machine in machines():
        assert set(machine.moves) == set(machine.states.values), machine.name
        assert (ROOT / (machine.owner.replace(".", "/") + ".py")).exists(), machine.name
        assert machine.initial in machine.moves, machine.name


def test_a_table_refuses_a_state_it_does_not_know():
    with pytest.raises(ValueError):
        StateMachine(name="x", model="booker.Rush", field="ingest_status",
                     states=Rush.Ingest, owner="booker.intake.ingest",
                     moves={Rush.Ingest.PENDING: frozenset({"lost"})})


def test_a_move_the_table_does_not_allow_is_refused_in_the_persons_words():
    from booker.sessions.machine import SESSION

    with pytest.raises(IllegalTransition) as refused:
        SESSION.check(PhotoSession.Status.CANCELLED, PhotoSession.Status.DELIVERED)
    assert "cancelled" in str(refused.value) or "annulée" in str(refused.value)


@pytest.mark.django_db
def test_a_compare_and_set_move_happens_once():
    from django.utils import timezone

    from booker.crm.machine import CONSENT

    consent = MarketingConsent.objects.create(
        email="a@example.com", consent_text="oui", requested_at=timezone.now()
    )
    rows = MarketingConsent.objects.filter(pk=consent.pk)
    assert CONSENT.move_rows(rows, "pending", "confirmed") == 1
    assert CONSENT.move_rows(rows, "pending", "confirmed") == 0
    consent.refresh_from_db()
    assert consent.status == "confirmed"


def _doc_block() -> str:
    """The state machines' part of docs/architecture.md, as their tables say it."""
    parts = []
    for machine in machines():
        model = machine.model.split(".")[1]
        parts.append(
            f"**{machine.name.capitalize()}** — `{model}.{machine.field}` "
            f"(`{machine.owner}`)\n\n```mermaid\n{machine.mermaid()}\n```\n"
        )
    return "\n".join(parts)


def test_the_architecture_doc_draws_each_machine_as_its_table_says():
    doc = (ROOT / "docs" / "architecture.md").read_text()
    start = doc.index("<!-- state-machines")
    start = doc.index("-->", start) + len("-->\n")
    end = doc.index("<!-- /state-machines -->")
    assert doc[start:end].strip() == _doc_block().strip(), (
        "docs/architecture.md's state machines differ from the tables; put this between the "
        "state-machines markers:\n\n" + _doc_block()
    )
