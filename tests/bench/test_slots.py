"""`bench slots` still runs end to end on a few month views: the month of three photographers
is built, its slots found in a constant number of queries, the headline printed last."""

import re

import pytest

from bench import slots as bench_slots


@pytest.mark.django_db
def test_bench_slots_builds_the_month_and_prints_queries_and_time_last(capsys):
    session_type = bench_slots.build_studio()
    result = bench_slots.measure(session_type, repeats=3)
    bench_slots.report(result)

    # The selector's six (the held slots and requests among them), and one for the
    # photographers' own calendars (a busy source).
    assert result["queries"] == 7
    # March 2027's 23 weekdays and 4 Saturdays (one photographer works them), less Easter
    # Monday (the studio is closed).
    assert result["days"] == 23 + 4 - 1
    out = capsys.readouterr().out
    print(out)
    lines = out.strip().splitlines()
    assert re.fullmatch(r"month view: 7 queries, median [\d.]+ ms \([\d.]+× the goal of "
                        r"≤ 50 ms\)", lines[-1]), lines[-1]
