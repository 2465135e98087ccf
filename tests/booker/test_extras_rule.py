"""The extras rule (booker/proofing/extras.py) is the only place that weighs picks against the
quota and prices the extras: the portal, its script, the services and the shop all ask it.

The code is read, not run: quota or price arithmetic anywhere else fails here, naming the file
and line. Then the rule's behaviour, and the places that show it."""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from booker import selectors, services
from booker.models import PhotoSession
from tests.booker.factories_studio import proofing_session, rush_ids

ROOT = Path(__file__).resolve().parents[2]
APPS = ("booker", "shop", "editorial", "booke")
RULE = "booker/proofing/extras.py"
# The package's terms, as fields or names: arithmetic on them is the rule's.
TERMS = {"quota", "extra_photo_price", "photos_included"}

JSON = {"HTTP_ACCEPT": "application/json"}


def _names(node: ast.AST) -> set[str]:
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            found.add(sub.attr)
        elif isinstance(sub, ast.Name):
            found.add(sub.id)
    return found


def _arithmetic_on_terms(tree: ast.AST) -> list[int]:
    """Lines where a term of the package is added, subtracted, multiplied, divided, compared
    or used to slice."""
    lines = []
    for node in ast.walk(tree):
        operands: list[ast.AST] = []
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Mod):
            # `%` formats a message ("… %(quota)d …" % {...}); it weighs nothing.
            operands = [node.left, node.right]
        elif isinstance(node, ast.Compare) and not all(
            isinstance(op, ast.Is | ast.IsNot) for op in node.ops
        ):
            # `price is None` asks whether extras are sold; it weighs nothing either.
            operands = [node.left, *node.comparators]
        elif isinstance(node, ast.Slice):
            operands = [part for part in (node.lower, node.upper) if part is not None]
        elif isinstance(node, ast.Call) and _names(node.func) & {"max", "min"}:
            operands = list(node.args)
        if any(_names(operand) & TERMS for operand in operands):
            lines.append(node.lineno)
    return lines


def test_quota_arithmetic_lives_only_in_the_extras_rule():
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel == RULE:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            offenders += [f"{rel}:{line}" for line in _arithmetic_on_terms(tree)]
    assert not offenders, "quota or price arithmetic outside the extras rule: " + ", ".join(
        offenders
    )


def test_the_gallery_script_computes_no_extras():
    script = (ROOT / "static/booker/portal.js").read_text(encoding="utf-8")
    assert not re.search(r"quota|\bprice\b|Math\.max", script)


def test_the_templates_compute_no_extras():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        # Template arithmetic is a filter: |add:, |sub… applied to a term of the package.
        assert not re.search(r"(quota|extra_photo_price)\|(add|sub|mul)", text), path


# --- The rule ---------------------------------------------------------------------------------


def _session(quota: int, price: str | None) -> PhotoSession:
    return PhotoSession(quota=quota, extra_photo_price=None if price is None else Decimal(price))


@pytest.mark.parametrize("picked, included, extra, total", [
    (0, 0, 0, "0.00"), (2, 2, 0, "0.00"), (3, 3, 0, "0.00"), (5, 3, 2, "24.00"),
])
def test_picks_beyond_the_quota_are_extras_at_the_session_s_price(picked, included, extra, total):
    rule = selectors.extras(_session(3, "12.00"), picked)
    assert (rule.included, rule.count, rule.total) == (included, extra, Decimal(total))
    assert rule.may_pick_another


def test_a_package_without_extras_is_a_hard_limit():
    at_quota = selectors.extras(_session(2, None), 2)
    assert not at_quota.may_pick_another and at_quota.count == 0 and at_quota.total == 0
    assert selectors.extras(_session(2, None), 1).may_pick_another
    # A package changed since the picks: the surplus is seen, and it is not for sale.
    over = selectors.extras(_session(2, None), 4)
    assert over.beyond == 2 and over.count == 0


def test_the_extras_are_the_last_picks_in_gallery_order():
    rule = selectors.extras(_session(2, "5.00"), [11, 12, 13, 14])
    assert rule.rush_ids == (13, 14) and rule.count == 2 and rule.total == Decimal("10.00")


def test_the_rule_s_answer_for_the_script_is_plain_json():
    assert selectors.extras(_session(1, "15.00"), 3).as_json() == {
        "picked": 3, "quota": 1, "included": 1, "extra": 2,
        "unit_price": "15.00", "total": "30.00",
    }


@pytest.mark.parametrize("quantity, amount, paid", [
    (2, "20.00", 2), (3, "20.00", 2), (2, "19.99", 1), (-1, "10.00", 0),
])
def test_an_order_line_pays_for_no_more_photos_than_its_amount_covers(quantity, amount, paid):
    session = _session(1, "10.00")
    assert selectors.photos_paid_for(session, quantity, Decimal(amount)) == paid


# --- Where the rule shows ---------------------------------------------------------------------


@pytest.mark.django_db
def test_each_pick_answers_with_the_counter_the_rule_computed_when_asked(client):
    session = proofing_session(3, quota=1, extra_price=Decimal("15.00"))
    client.force_login(session.client)
    url = reverse("portal:pick", args=[session.pk])
    a, b, c = rush_ids(session)
    client.post(url, {"rush": a, "picked": "1"}, **JSON)
    client.post(url, {"rush": b, "picked": "1"}, **JSON)

    answer = client.post(url, {"rush": c, "picked": "1", "summary": "1"}, **JSON).json()

    selection = answer["selection"]
    assert (selection["included"], selection["extra"], selection["total"]) == (1, 2, "30.00")
    assert selection["counter_text"] == "1 sur 1 incluses"
    assert "2 photo(s) supplémentaire(s)" in selection["extras_text"]
    assert "30,00" in selection["extras_text"]


@pytest.mark.django_db
def test_the_submit_page_prices_the_extras_by_the_rule(client):
    session = proofing_session(3, quota=1, extra_price=Decimal("15.00"))
    for pk in rush_ids(session):
        services.set_pick(session, pk, True, user=session.client)
    client.force_login(session.client)

    html = client.get(reverse("portal:submit", args=[session.pk])).content.decode()

    assert "30,00" in html and "15,00" in html


@pytest.mark.django_db
def test_the_shop_s_unit_price_is_the_rule_s():
    session = proofing_session(1, quota=1, extra_price=Decimal("7.50"))
    assert selectors.extras_unit_price(session.pk) == Decimal("7.50")
    assert selectors.extras_unit_price(0) is None
