"""Issue 22, "Fuzzed RAWs": a real django-q2 cluster ingests 300 damaged camera files
(tests/fuzz_raw.py: truncated, bits flipped, TIFF fields lying about sizes and offsets, IFD
chains that loop) and every one ends ready or failed with its French reason, no worker dies,
nothing hangs; and a decode that never returns is stopped by the task's time limit.

Real subprocesses on a database file of their own, as tests/booker/test_worker.py."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.utils import translation

from booker.intake import imaging, ingest
from tests.booker.test_worker import (  # noqa: F401 -- `site` and its fixture, used by name
    ROOT,
    SAMPLES,
    SPINNING_QCLUSTER,
    _manager,
    jpeg,
    migrated_database,
    site,
    stop,
    wait_for,
)
from tests.fuzz_raw import inputs, mutants

pytestmark = pytest.mark.slow

COUNT = 300
# The whole batch, import excluded: measured ~50 s on a quiet 2-core machine; room for CI's
# load, and well under what a hang (one rush stuck for a lease and more) would take.
BATCH_SECONDS = 180

# qcluster whose workers leave a mark (pid, rush) as they take each task: a worker that died
# and was reincarnated shows as a third pid.
TRACED_QCLUSTER = """
import os
from pathlib import Path
import django
django.setup()
from booker import tasks
marks = Path(os.environ["TEST_INGEST_MARKS"])
ingest_rush = tasks.ingest_rush
def traced(rush_id):
    (marks / f"{os.getpid()}-{rush_id}").touch()
    return ingest_rush(rush_id)
tasks.ingest_rush = traced
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "qcluster"])
"""


def french(reason: str, **values) -> str:
    with translation.override("fr"):
        text = translation.gettext(reason)
    return text % values if values else text


def rushes(db: Path) -> list[tuple]:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(
            "select id, original_filename, ingest_status, failure_reason, proof, thumbnail, "
            "attempts from booker_rush order by original_filename").fetchall()


def settled(db: Path) -> int:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute("select count(*) from booker_rush where ingest_status in "
                            "('ready', 'failed')").fetchone()[0]


def start(script: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_300_fuzzed_raws_each_end_ready_or_failed_in_french_and_no_worker_dies(
    site, tmp_path  # noqa: F811 -- the fixture
):
    _, env, db = site
    marks = tmp_path / "marks"
    marks.mkdir()
    # The production ratio of timeout to lease, shortened: a rush stuck past its lease would
    # be taken again (attempts 2), which the test refuses.
    env = {**env, "TEST_INGEST_MARKS": str(marks), "BOOKER_INGEST_TIMEOUT_SECONDS": "60",
           "BOOKER_INGEST_LEASE_SECONDS": "75"}
    manage = _manager(env)  # the task's timeout is set when it is queued
    card = tmp_path / "card"
    card.mkdir()
    made = list(mutants(inputs(tmp_path / "inputs", SAMPLES), COUNT))
    for m in made:
        (card / m.name).write_bytes(m.data)
    kinds = {m.name: f"{m.mutation} {m.source}: {m.what}" for m in made}
    out = manage("import_rushes", "--client", "w@x.test", str(card)).stdout
    assert out.count(": queued") == COUNT, out

    log = tmp_path / "qcluster.log"
    started = time.monotonic()
    cluster = start(TRACED_QCLUSTER, env, log)
    try:
        wait_for(lambda: settled(db) == COUNT, BATCH_SECONDS, f"all {COUNT} rushes settled",
                 cluster)
        took = time.monotonic() - started
        time.sleep(1)  # a late second task for a rush would show now
        workers = {int(p.name.split("-")[0]) for p in marks.iterdir()}
        still_alive = {pid for pid in workers if alive(pid)}
        assert cluster.poll() is None
    finally:
        stop(cluster)
    output = log.read_text()

    rows = rushes(db)
    allowed = {french(reason) for reason in imaging.REASONS}
    outcome: Counter[str] = Counter()
    proofs = tmp_path / "private" / "proofs"
    stored = {str(p.relative_to(proofs)) for p in proofs.rglob("*") if p.is_file()}
    # sessions/<session>/proofs/<rush>.jpg and <rush>-thumb.jpg
    stored_for = Counter(name.rsplit("/", 1)[1].split(".")[0].removesuffix("-thumb")
                         for name in stored)
    expected_files: set[str] = set()
    for pk, name, status, reason, proof, thumbnail, attempts in rows:
        what = f"{name} ({kinds[name]})"
        assert status in ("ready", "failed"), what
        assert attempts == 1, f"{what} was taken {attempts} times: its worker died or hung"
        if status == "ready":
            assert proof and thumbnail and reason == "", what
            assert stored_for[str(pk)] == 2, f"{what}: not one proof and one thumbnail"
            expected_files |= {proof, thumbnail}
        else:
            assert reason in allowed, f"{what} failed with {reason!r}, not a known French reason"
            assert not proof and not thumbnail, what
            assert str(pk) not in stored_for, f"{what}: a proof on storage"
        outcome[f"{status} {reason}".strip()] += 1
    assert stored == expected_files, "an orphan or a missing proof on storage"
    assert len(workers) == 2 and still_alive == workers, (
        f"workers {sorted(workers)}, alive at the end {sorted(still_alive)}: one died")
    assert "reincarnated" not in output and "réincarné" not in output, output[-4000:]
    assert len(list(marks.iterdir())) == COUNT, "a rush was taken twice"
    print(f"{COUNT} fuzzed rushes settled in {took:.1f} s: {dict(outcome)}")


def one_rush(manage, tmp_path: Path, name: str, data: bytes) -> None:
    card = tmp_path / f"card-{name}"
    card.mkdir()
    (card / name).write_bytes(data)
    assert manage("import_rushes", "--client", "w@x.test", str(card)).stdout.count(
        ": queued") == 1


def status_of(db: Path, name: str) -> tuple[str, str]:
    with sqlite3.connect(db, timeout=10) as conn:
        row = conn.execute("select ingest_status, failure_reason from booker_rush "
                           "where original_filename = ?", (name,)).fetchone()
    return tuple(row) if row else ("", "")


def test_a_decode_that_never_returns_fails_at_the_time_limit_and_the_worker_goes_on(
    site, tmp_path  # noqa: F811 -- the fixture
):
    _, env, db = site
    marks = tmp_path / "marks"
    marks.mkdir()
    limit = 3
    # One worker: the rush after the spinning one needs that very worker back.
    env = {**env, "TEST_INGEST_MARKS": str(marks), "Q_WORKERS": "1",
           "BOOKER_INGEST_TIMEOUT_SECONDS": str(limit), "BOOKER_INGEST_LEASE_SECONDS": "6"}
    manage = _manager(env)  # the task's timeout is set when it is queued
    # The spinning file is a JPEG the patched decoder recognises by its last bytes.
    one_rush(manage, tmp_path, "SPIN_0001.JPG", jpeg() + b"SPIN")
    cluster = start(SPINNING_QCLUSTER, env, tmp_path / "qcluster.log")
    try:
        [mark] = wait_for(lambda: list(marks.glob("spinning-*")), 60, "spinning decode", cluster)
        spun = time.monotonic()
        status, reason = wait_for(
            lambda: (row := status_of(db, "SPIN_0001.JPG"))[0] == "failed" and row,
            limit + 10, "failed spinning rush", cluster)
        stopped_after = time.monotonic() - spun
        assert reason == french(ingest.TIMED_OUT, seconds=limit)
        assert f"{limit} s" in reason

        one_rush(manage, tmp_path, "IMG_0002.JPG", jpeg())
        wait_for(lambda: status_of(db, "IMG_0002.JPG")[0] == "ready", 30, "next rush ready",
                 cluster)
        # The same worker: it was not killed, the alarm stopped its decode.
        assert [p.name.split("-")[1] for p in marks.glob("decoding-*")] == [
            mark.name.split("-")[1]]
        assert cluster.poll() is None
    finally:
        stop(cluster)
    print(f"the spinning decode was stopped after {stopped_after:.1f} s (limit {limit} s)")
