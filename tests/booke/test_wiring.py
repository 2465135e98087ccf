"""One way for each cross-cutting thing, in every app: signals are connected in an app's
receivers.py (imported by its ready()), and periodic tasks are declared in its schedules.py
(booker/schedules.py's registry), never made by hand in a migration or at runtime."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONNECTING = re.compile(r"@receiver\(|\.connect\(|^\s*@subscribe\(", re.MULTILINE)
MAKING_SCHEDULES = re.compile(r"Schedule\.objects\.(create|get_or_create|update_or_create)|"
                              r"get_model\(\s*\"django_q\"")
# Not a module-level wiring: a storage instance's own hook, held weakly and gone with it.
INSTANCE_HOOKS = {"booker/storage.py"}


def sources() -> list[tuple[str, str]]:
    found = []
    for app in ("booker", "shop", "editorial", "booke"):
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                found.append((relative, path.read_text()))
    return found


def test_signals_and_events_are_connected_only_in_receivers_modules():
    elsewhere = [
        name for name, text in sources()
        if CONNECTING.search(text)
        and not name.endswith("/receivers.py") and name not in INSTANCE_HOOKS
        and name != "booker/events.py"  # defines subscribe(); its docstring shows one
    ]
    assert elsewhere == []


def test_schedules_are_made_only_by_the_registry():
    elsewhere = [name for name, text in sources()
                 if MAKING_SCHEDULES.search(text) and name != "booker/schedules.py"]
    assert elsewhere == []
