"""docs/architecture.md lists the events and the default rules as the code declares them."""

from __future__ import annotations

from pathlib import Path

from booker.automation.defaults import declared_rules, declared_templates
from booker.events import Event

ROOT = Path(__file__).resolve().parents[2]
WHO = {"client": "client (B2C) / company members (B2B)", "company_managers": "company managers",
       "photographer": "photographer", "retoucher": "assigned retoucher",
       "shop_managers": "shop managers", "studio": "studio address",
       "billing": "company billing address"}


def _delay(rule) -> str:
    if not rule.delay:
        return "at once"
    hours = int(rule.delay.total_seconds() // 3600)
    amount = f"{hours // 24} d" if hours % 24 == 0 and hours >= 72 else f"{hours} h"
    return {"event": f"{amount} after", "before_session": f"{amount} before the session",
            "before_delivery_expires": f"{amount} before downloads close",
            "before_balance_due": f"{amount} before the balance is due"}[rule.anchor]


def rules_table() -> str:
    templates = declared_templates()
    lines = ["| Rule | When | To | Does | Delay | Conditions |", "|---|---|---|---|---|---|"]
    for rule in declared_rules().values():
        does = (f"email `{rule.template}` ({templates[rule.template].kind})"
                if rule.action == "email" else f"{rule.action}: {rule.task_title}")
        conditions = []
        if rule.audience != "any":
            conditions.append(rule.audience.upper())
        if rule.unless:
            conditions.append("unless " + ", ".join(f"`{e.value}`" for e in rule.unless))
        lines.append(f"| `{rule.key}` | `{rule.event.value}` | "
                     f"{', '.join(WHO[r] for r in rule.recipients)} | {does} | "
                     f"{_delay(rule)} | {'; '.join(conditions) or '—'} |")
    return "\n".join(lines)


def events_list() -> str:
    return "\n".join(f"- `{e.value}` ({e.name})" for e in Event)


def _between(doc: str, marker: str) -> str:
    start = doc.index(f"<!-- {marker}")
    start = doc.index("-->", start) + len("-->\n")
    return doc[start:doc.index(f"<!-- /{marker} -->")].strip()


def test_the_architecture_doc_lists_the_default_rules_as_declared():
    doc = (ROOT / "docs" / "architecture.md").read_text()
    assert _between(doc, "automation-rules") == rules_table(), (
        "Put this between the automation-rules markers of docs/architecture.md:\n\n"
        + rules_table())


def test_the_architecture_doc_lists_every_event():
    doc = (ROOT / "docs" / "architecture.md").read_text()
    assert _between(doc, "events") == events_list(), (
        "Put this between the events markers of docs/architecture.md:\n\n" + events_list())


def test_every_default_rule_names_a_declared_template_and_known_recipients():
    templates = declared_templates()
    for rule in declared_rules().values():
        assert rule.action != "email" or rule.template in templates, rule.key
        assert set(rule.recipients) <= set(WHO), rule.key
        for template in templates.values():
            template.read()  # the three files exist
