"""`bench load` still runs end to end on a few requests: locust's two kinds of users against
the production topology (gunicorn, qcluster, PostgreSQL, Redis, moto), every page answered
without error, the RSS of every process read, the verdict last.

The demo is seeded once and kept (bench.load.kept_seed): the first run on a machine, or the
first after a migration or a change of the demo, spends minutes seeding; the others, well
under a minute."""

import re

import pytest

from bench import load, stack

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/booke_bench_load_test"
REDIS_URL = "redis://127.0.0.1:6379/6"
PAGES = {"home", "blog post", "portfolio gallery", "catalogue", "product", "login",
         "gallery page", "gallery next cards", "thumbnail (via S3)", "pick", "unpick",
         "basket add", "basket", "order preview"}


@pytest.fixture
def services_up():
    problems = [p for p in (stack.postgres_problem(DATABASE_URL), stack.redis_problem(REDIS_URL))
                if p]
    if problems:
        pytest.skip("; ".join(problems))


def test_bench_load_answers_every_page_of_both_users_without_error_and_ends_with_a_verdict(
    capsys, services_up
):
    code = load.run(["--users", "2", "--spawn-rate", "2", "--requests", "80", "--proofs", "130",
                     "--time-cap", "120", "--database-url", DATABASE_URL,
                     "--redis-url", REDIS_URL])
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    rows = {}
    for line in lines:
        match = re.fullmatch(r"  (.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", line)
        if match:
            rows[match[1]] = [int(n) for n in match.groups()[1:]]
    # Both kinds of users ran their whole journey: a page missing means a user class that
    # never started or a journey that stopped short.
    assert PAGES <= set(rows), f"pages missing: {PAGES - set(rows)}\n{out}"
    requests, errors = rows["all"][:2]
    assert requests >= 80 and errors == 0, out
    processes = [line for line in lines if re.match(r"  (gunicorn|qcluster) .*%$", line)]
    assert len([p for p in processes if "gunicorn worker" in p]) == 2, out
    assert any("qcluster worker" in p for p in processes), out
    # RSS growth over a run this short says nothing: the verdict's form is what is checked.
    assert re.fullmatch(
        r"(OK|FAILED): \d+ requests, 0 errors, [\d.]+ req/s, p95 \d+ ms, "
        r"largest RSS growth -?[\d.]+ % \(limit 10 %\)", lines[-1]), lines[-1]
    assert code in (0, 1)
