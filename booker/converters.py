"""The path converter of every id in our URLs: `<id:pk>`.

Django's `<int:>` takes any number of digits, and a number past the database's bigint makes
some lookups fail instead of finding nothing (SQLite: "Python int too large to convert to
SQLite INTEGER" on a Wagtail page's parent link), a 500 where a 404 is the answer. `<id:>`
answers 404 at once for such a number: no row can have it. (Http404 rather than Django's
"no match" ValueError: a non-match would go on to catch-all routes — the admin's
`<path:object_id>/` redirect, Wagtail's page serving — and answer something else.)
Registered once by BookerConfig.ready(), before any URLconf is read;
tests/booke/test_huge_ids.py checks that no route of ours uses `<int:>`."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

# The largest value of a signed 64-bit integer, PostgreSQL's bigint and SQLite's INTEGER.
MAX_ID = 2**63 - 1


class DatabaseIdConverter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        # The length first: int() refuses strings of more than 4,300 digits (ValueError).
        if len(value) > len(str(MAX_ID)) or int(value) > MAX_ID:
            raise Http404("No such id: past the database's largest.")
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(int(value))


# A long number as a whole path segment, or as Oscar's `<slug>_<pk>` end of one.
_DIGITS = len(str(MAX_ID))
_LONG_NUMBER_IN_PATH = re.compile(rf"(?:^|/)(?:[^/]*_)?([0-9]{{{_DIGITS},}})(?=/|$)")


def _past_bigint(digits: str) -> bool:
    return len(digits) > _DIGITS or int(digits) > MAX_ID


class HugeIdMiddleware:
    """The same 404 for the frameworks' own routes (Oscar's `\\d+` patterns, Wagtail's
    documents), which we do not write: their views turn the id into an int themselves, and
    past 4,300 digits Python refuses (ValueError, a 500). Last in MIDDLEWARE, so the 404 page
    renders with everything it needs (session, user, basket)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(_past_bigint(m) for m in _LONG_NUMBER_IN_PATH.findall(request.path_info)):
            raise Http404("No such id: past the database's largest.")
        return self.get_response(request)
