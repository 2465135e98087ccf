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
    rows = {tuple(line.split()[:3]): line.split() for line in lines if line.startswith("  ")}
    for page in ("home", "catalogue"):
        cached = rows[(page, "cached", "12")]
        assert cached[-2] == "12", f"{page}: every cached request should be a hit: {cached}"
        rendered = rows[(page, "rendered", "4")]
        assert rendered[-2] == "0", f"{page}: a session cookie must bypass the cache: {rendered}"
    assert re.fullmatch(
        r"pages vs minimal view \(\d+ req/s\): home [\d.]+× \(rendered [\d.]+×, goal ≥ 0\.5\), "
        r"blog post [\d.]+× \(rendered [\d.]+×, goal ≥ 0\.5\), "
        r"catalogue [\d.]+× \(rendered [\d.]+×, goal ≥ 0\.25\)",
        lines[-1],
    ), lines[-1]
