"""The client's gallery page for a session of N proofs: SQL queries, server time (p50, p95)
and HTML size through Django's test client, on a throwaway database (in-memory SQLite unless
DATABASE_URL names another); with, in the same run, a minimal view through the same
middleware (the floor) and the fragment of the next cards (portal:session-photos)."""

from __future__ import annotations

import argparse
import statistics
import time

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test.utils import setup_test_environment
from django.urls import path
from django.utils.functional import SimpleLazyObject

from booker.proofing.selectors import PAGE_SIZE


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench gallery")
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)

    from django.test.runner import DiscoverRunner

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        return _measure(args.photos, args.requests)
    finally:
        runner.teardown_databases(old)


def minimal(request: HttpRequest) -> HttpResponse:
    """The floor: a tiny response through the same middleware as the gallery."""
    return HttpResponse("ok")


def _urlpatterns() -> list:
    from booke.urls import urlpatterns

    return [path("bench/minimal/", minimal), *urlpatterns]


# This module serves as ROOT_URLCONF while measuring: the site's URLs and the minimal view.
urlpatterns = SimpleLazyObject(_urlpatterns)


def _timed(http, url: str, requests: int) -> tuple[float, float, int, int]:
    """p50 and p95 (seconds) of `requests` GETs of `url` after one warm-up, the response's
    size and the queries of one request."""
    http.get(url)
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        first = http.get(url)
    assert first.status_code == 200, (url, first.status_code)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = http.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return p50, p95, len(response.content), len(queries)


def _measure(photos: int, requests: int) -> int:
    from django.test import Client, override_settings
    from django.urls import reverse

    from booker import services
    from booker.models import Selection, User

    client_user = User.objects.create_user("bench@example.test", "x")
    session = services.create_session(title="Bench", client=client_user, quota=photos)
    services.transition(session, "shot", actor=None)
    services.transition(session, "proofing", actor=None)
    Selection.objects.create(session=session)
    fill_gallery(session, photos)
    http = Client()
    http.force_login(client_user)
    with override_settings(ROOT_URLCONF=__name__):
        rows = [
            ("minimal view", "/bench/minimal/"),
            ("gallery page", reverse("portal:session", args=[session.pk])),
            ("next cards (page 2)",
             reverse("portal:session-photos", args=[session.pk]) + "?page=2"),
            ("last cards", reverse("portal:session-photos", args=[session.pk])
             + f"?page={max(1, -(-photos // PAGE_SIZE))}"),
        ]
        results = [(name, *_timed(http, url, requests)) for name, url in rows]
    print(f"photos {photos}, requests {requests}, database {connection.vendor}")
    floor = results[0][2]
    for name, p50, p95, size, queries in results:
        print(f"{name:<20} p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  "
              f"({p95 / floor:4.1f}x minimal)  {size / 1000:7.1f} KB  {queries} queries")
    return 0


def fill_gallery(session, total: int) -> None:
    """Rows for `total` ready proofs in a session in proofing (no image files: the page only
    links to them), a third picked and a tenth commented."""
    from booker.models import Rush, Selection, SelectionItem

    existing = session.rushes.count()
    Rush.objects.bulk_create(
        Rush(
            session=session,
            original=f"x/{i}.CR2",
            original_filename=f"IMG_{i:05}.CR2",
            sha256=f"{i:064x}",
            size=30_000_000,
            width=2048,
            height=1365,
            proof=f"p/{i}.jpg",
            thumbnail=f"t/{i}.jpg",
            ingest_status=Rush.Ingest.READY,
        )
        for i in range(existing, total)
    )
    selection = Selection.objects.get(session=session)
    SelectionItem.objects.bulk_create(
        SelectionItem(
            selection=selection,
            rush=rush,
            picked=n % 3 == 0,
            comment="plus serré" if n % 10 == 0 else "",
        )
        for n, rush in enumerate(session.rushes.exclude(selection_items__selection=selection))
    )
