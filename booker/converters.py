"""The path converter of every id in our URLs: `<id:pk>`.

Django's `<int:>` takes any number of digits, and a number past the database's bigint makes
some lookups fail instead of finding nothing (SQLite: "Python int too large to convert to
SQLite INTEGER" on a Wagtail page's parent link), a 500 where a 404 is the answer. `<id:>`
refuses such a number while resolving, so the URL does not match and the visitor gets the
site's 404. Registered once by BookerConfig.ready(), before any URLconf is read;
tests/booke/test_huge_ids.py checks that no route of ours uses `<int:>`."""

from __future__ import annotations

# The largest value of a signed 64-bit integer, PostgreSQL's bigint and SQLite's INTEGER.
MAX_ID = 2**63 - 1


class DatabaseIdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("past the database's largest id")  # Django: no match
        return number

    def to_url(self, value: int | str) -> str:
        return str(int(value))
