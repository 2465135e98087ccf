"""One function neutralises spreadsheet formulas in every CSV the project writes (OWASP "CSV
injection"): a cell that starts with = + - @ tab or carriage return gets a leading quote."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from booker.csvsafe import safe_cell, safe_row
from booker.proofing import exports
from tests.hostile import HOSTILE


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_starting_like_a_formula_gets_a_leading_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Claire Dubois", "", "06 12 34 56 78", "a=b", "'déjà"])
def test_ordinary_text_is_left_as_it_is(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-5, Decimal("-12.50"), 3.5, None, True])
def test_numbers_and_empty_values_stay_numbers(value):
    # A number is written by the CSV writer as digits: it cannot carry a formula, and a
    # negative amount must stay a number in the spreadsheet.
    assert safe_cell(value) is value


def test_a_row_is_neutralised_cell_by_cell():
    assert safe_row(["=1", 2, "ok"]) == ["'=1", 2, "ok"]


@pytest.mark.parametrize("value", HOSTILE)
def test_the_picks_csv_neutralises_a_hostile_comment_and_file_name(value):
    class Rush:
        original_filename = value + ".CR2"

    class Item:
        rush = Rush()
        picked = True
        comment = value

    rows = list(csv.reader(io.StringIO(exports.picks_csv([Item()]), newline="")))
    filename, _stem, _picked, comment = rows[1]
    assert filename.startswith("'") and comment == "'" + value


def test_every_csv_writer_of_ours_goes_through_the_shared_function():
    """A new CSV export that writes cells without booker.csvsafe fails here."""
    root = Path(__file__).resolve().parents[2]
    writers = ("csv.writer(", "csv.DictWriter(", "UnicodeCSVWriter(", "get_csv_writer(")
    unsafe = []
    for app in ("booke", "booker", "shop", "editorial"):
        for path in (root / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if any(w in text for w in writers) and "csvsafe" not in text:
                unsafe.append(str(path.relative_to(root)))
    assert unsafe == []
