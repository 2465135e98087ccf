"""`bench pages` still runs end to end on a few requests: gunicorn with production settings,
PostgreSQL, the Redis page cache, the minimal view and the three pages, cached and rendered."""

import re

import pytest

from bench import pages, stack

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/booke_bench_pages_test"
REDIS_URL = "redis://127.0.0.1:6379/4"


@pytest.fixture
def services_up():
    problems = [p for p in (stack.postgres_problem(DATABASE_URL), stack.redis_problem(REDIS_URL))
                if p]
    if problems:
        pytest.skip("; ".join(problems))


def test_bench_pages_serves_the_cached_pages_from_the_cache_and_prints_ratios_last(
    capsys, services_up
):
    assert pages.run(["--requests", "12", "--rendered-requests", "4", "--connections", "2",
                      "--time-cap", "60", "--database-url", DATABASE_URL,
                      "--redis-url", REDIS_URL]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    # The table's columns are fixed widths: page (14), mode (10), then the numbers.
    rows = {(line[2:16].strip(), line[16:26].strip()): line[26:].split()
            for line in lines if line.startswith("  ") and not line.startswith("  page")}
    for page in ("home", "catalogue"):
        cached = rows[(page, "cached")]
        assert cached[0] == "12" and cached[-2] == "12", (
            f"{page}: every cached request should be a hit: {cached}")
        # Since issue 20 a session cookie (no session behind it, or a logged-in person's) gets
        # the stored page too: their own bits come from the visitor fragment.
        for mode in ("rendered", "logged in"):
            row = rows[(page, mode)]
            assert row[0] == "4" and row[-2] == "4", f"{page} {mode}: from the cache: {row}"
    assert rows[("visitor bits", "logged in")][-1] == "0"
    assert re.fullmatch(
        r"pages vs minimal view \(\d+ req/s\): "
        r"home [\d.]+× \(rendered [\d.]+×, logged in [\d.]+×, goal ≥ 0\.5, logged in ≥ 0\.1\), "
        r"blog post [\d.]+× \(rendered [\d.]+×, logged in [\d.]+×, goal ≥ 0\.5, "
        r"logged in ≥ 0\.1\), "
        r"catalogue [\d.]+× \(rendered [\d.]+×, logged in [\d.]+×, goal ≥ 0\.25, "
        r"logged in ≥ 0\.1\)",
        lines[-1],
    ), lines[-1]
