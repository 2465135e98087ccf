"""Spreadsheet-safe cells: the one rule every CSV of the project (and of its frameworks: Oscar's
order export, Wagtail's form submissions) applies to what people typed.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets: `=HYPERLINK(...)` in a shipping name becomes a link that
leaks the sheet, `@SUM(...)|cmd` may run a program. OWASP's answer ("CSV injection") is to
prefix such a cell with a quote, which spreadsheets show as text. It lives in booker, the
bottom of editorial → shop → booker, so that every app can use it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T")


def safe_cell(value: T) -> T | str:
    """`value` with a leading `'` when it is text a spreadsheet would run as a formula.

    Only text is changed: a number (a negative amount) is written as digits by the CSV writer
    and stays a number in the sheet; it cannot carry a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in values]
