"""Issue 22, "worker killed" during an archive run: a real qcluster (subprocesses, a database
file of its own, as tests/booker/test_worker.py) archives a delivered session's originals; one
worker is killed with -9 in the middle of a copy, then the whole cluster. After a restart the
daily run finishes the session: every original is archived once, its archived copy is the
original byte for byte (a half-written copy is never taken for a verified one), and no online
original is left behind."""

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.booker.test_worker import (  # noqa: F401 -- the fixtures, used by name
    ROOT,
    _group_alive,
    jpeg,
    migrated_database,
    site,
    stop,
    wait_for,
)

pytestmark = pytest.mark.slow

# qcluster whose workers mark each original they start copying (a file named after the
# process) and copy it slowly, a chunk at a time, so that the test kills a worker while it
# writes: a half-written archived copy is left behind.
MARKED_ARCHIVE_QCLUSTER = """
import os, time
from pathlib import Path
import django
django.setup()
from django.core.files import File
from booker.archive import services
marks = Path(os.environ["TEST_ARCHIVE_MARKS"])

class Slow:
    def __init__(self, handle):
        self._handle = handle
    def read(self, size=-1):
        time.sleep(0.05)
        return self._handle.read(size)
    def __getattr__(self, name):
        return getattr(self._handle, name)

def slow_file(handle, name=None):
    (marks / f"{os.getpid()}-{time.monotonic_ns()}").write_text(str(name))
    return File(Slow(handle), name=name)

services.File = slow_file
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "qcluster"])
"""

FILES = 24


def _tiers(db: Path) -> dict[str, int]:
    with sqlite3.connect(db, timeout=10) as conn:
        return dict(conn.execute(
            "select original_tier, count(*) from booker_rush group by original_tier").fetchall())


def test_an_archive_killed_twice_finishes_after_a_restart_each_original_archived_once(
    site, tmp_path  # noqa: F811 -- the fixture imported above
):
    manage, env, db = site
    marks = tmp_path / "marks"
    marks.mkdir()
    # Short slices: the archive goes on as a chain of tasks, as a wedding's does.
    env = {**env, "TEST_ARCHIVE_MARKS": str(marks), "BOOKER_ARCHIVE_RUN_SECONDS": "2",
           "BOOKER_ARCHIVE_AFTER_DAYS": "0"}
    card = tmp_path / "card"
    card.mkdir()
    originals = {}
    for i in range(FILES):
        data = jpeg((400 + i, 300)) + os.urandom(400_000)  # each file different, and not tiny
        (card / f"IMG_{i:04}.JPG").write_bytes(data)
        originals[f"IMG_{i:04}.JPG"] = hashlib.sha256(data).hexdigest()
    manage("import_rushes", "--client", "w@x.test", str(card))
    # The session as delivered (the workflow up to delivery is tested elsewhere): the originals
    # are what the archive moves.
    manage("shell", "-c", (
        "from django.utils import timezone; from booker.models import PhotoSession; "
        "from booker.archive.services import queue_archive; "
        "PhotoSession.objects.update(status='delivered', status_changed_at=timezone.now()); "
        "queue_archive(PhotoSession.objects.get(), actor=None)"))
    log = tmp_path / "qcluster.log"

    def start() -> subprocess.Popen:
        with log.open("a") as out:
            return subprocess.Popen([sys.executable, "-c", MARKED_ARCHIVE_QCLUSTER], cwd=ROOT,
                                    env=env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)

    cluster = start()
    try:
        wait_for(lambda: _tiers(db).get("archive", 0) >= 3, 120, "first archived", cluster)
        newest = max(marks.iterdir(), key=lambda p: int(p.name.split("-")[1]))
        os.kill(int(newest.name.split("-")[0]), signal.SIGKILL)  # a worker, mid-copy
        before = _tiers(db).get("archive", 0)
        # The killed slice's task is lost with its worker (the rest of the chain with it):
        # the daily run, queued by hand here as the scheduler would, takes the session again.
        manage("shell", "-c", "from django_q.tasks import async_task; "
               "async_task('booker.tasks.archive_due_sessions')")
        wait_for(lambda: _tiers(db).get("archive", 0) >= before + 3, 120,
                 "more archived after the worker was killed", cluster)
        newest = max(marks.iterdir(), key=lambda p: int(p.name.split("-")[1]))
        os.killpg(cluster.pid, signal.SIGKILL)  # the whole cluster, mid-copy
        cluster.wait()
    finally:
        if _group_alive(cluster.pid):
            os.killpg(cluster.pid, signal.SIGKILL)
    killed_at = _tiers(db).get("archive", 0)
    assert killed_at < FILES, "the archive was over before the cluster was killed"

    cluster = start()
    try:
        manage("shell", "-c", "from django_q.tasks import async_task; "
               "async_task('booker.tasks.archive_due_sessions')")
        wait_for(lambda: _tiers(db).get("archive", 0) == FILES, 240,
                 "every original archived after the restart", cluster)
        wait_for(lambda: _status(db) == "archived", 60, "the session archived", cluster)
    finally:
        if cluster.poll() is None:
            stop(cluster)
        print(log.read_text()[-4000:])

    private = tmp_path / "private"
    online = sorted(p for p in (private / "originals").rglob("*") if p.is_file())
    archived = {p: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in (private / "archive").rglob("*") if p.is_file()}
    assert online == [], "an original left online after its archived copy was verified"
    assert sorted(archived.values()) == sorted(originals.values()), (
        "the archive holds exactly one copy of each original, equal to it byte for byte")
    with sqlite3.connect(db, timeout=10) as conn:
        unverified = conn.execute("select count(*) from booker_rush "
                                  "where archive_verified_at is null").fetchone()[0]
        failed = conn.execute("select count(*) from booker_sessionevent "
                              "where name = 'archive.failed'").fetchone()[0]
    assert (unverified, failed) == (0, 0)
    print(f"killed at {killed_at} of {FILES} archived; {len(list(marks.iterdir()))} copies begun")


def _status(db: Path) -> str:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute("select status from booker_photosession").fetchone()[0]
