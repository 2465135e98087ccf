"""A real django-q2 cluster ingests a batch: good files become ready, broken ones fail alone
with their reason, and the worker processes survive. Runs the project's own commands in
subprocesses against a database file of its own, as `make run` does."""

import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from bench import stack
from booker.intake import ingest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(settings.STUDIO_SAMPLES_DIR) / "raw"


def jpeg(size=(1600, 1000)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 140, 160)).save(out, "JPEG")
    return out.getvalue()


def _site_env(folder: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k.startswith(("PATH", "HOME", "LANG"))},
        "DJANGO_SETTINGS_MODULE": "booke.settings.dev",
        "DATABASE_URL": f"sqlite:///{folder / 'worker.sqlite3'}",
        "BOOKE_VAR_DIR": str(folder / "var"),
        "PRIVATE_MEDIA_ROOT": str(folder / "private"),
        "MEDIA_ROOT": str(folder / "media"),
        "Q_WORKERS": "2",
        "PYTHONUNBUFFERED": "1",
    }


def _manager(env: dict[str, str]):
    def manage(*args: str, **kwargs) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,  # migrating on a busy 2-core machine
            **kwargs,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    return manage


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    """One migrated database file for the module, from the kept template (bench.stack: migrating
    an empty one takes a minute or more); each test works on its own copy."""
    folder = tmp_path_factory.mktemp("worker-template")
    shutil.copyfile(stack.sqlite_template(), folder / "worker.sqlite3")
    manage = _manager(_site_env(folder))
    manage("migrate", "--noinput")
    manage("shell", "-c", "from booker.services import ensure_user; ensure_user('w@x.test')")
    return folder / "worker.sqlite3"


@pytest.fixture
def site(tmp_path, migrated_database):
    env = _site_env(tmp_path)
    shutil.copyfile(migrated_database, tmp_path / "worker.sqlite3")
    return _manager(env), env, tmp_path / "worker.sqlite3"


def statuses(db: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(db, timeout=10) as conn:
        rows = conn.execute(
            "select original_filename, ingest_status, failure_reason from booker_rush"
        ).fetchall()
    return {name: (status, reason) for name, status, reason in rows}


def stop(cluster: subprocess.Popen) -> None:
    os.killpg(cluster.pid, signal.SIGTERM)
    try:
        cluster.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(cluster.pid, signal.SIGKILL)
        cluster.wait()


def test_a_real_cluster_ingests_a_batch_and_survives_broken_files(site, tmp_path):
    manage, env, db = site
    card = tmp_path / "card"
    card.mkdir()
    (card / "IMG_0001.JPG").write_bytes(jpeg())
    (card / "IMG_0002.CR2").write_bytes(b"\x00 not a raw" * 1000)
    (card / "IMG_0003.CR2").write_bytes(b"")
    expected = {
        "IMG_0001.JPG": ("ready", ""),
        "IMG_0002.CR2": ("failed", "ce n’est pas un fichier RAW"),
        "IMG_0003.CR2": ("failed", "fichier vide"),
    }
    if SAMPLES.is_dir():
        dng = (SAMPLES / "canon_eos_6d.dng").read_bytes()
        (card / "IMG_0004.DNG").write_bytes(dng)
        (card / "IMG_0005.DNG").write_bytes(dng[: len(dng) // 2])
        (card / "IMG_0006.KDC").write_bytes((SAMPLES / "kodak_dc50.kdc").read_bytes())
        expected |= {
            "IMG_0004.DNG": ("ready", ""),
            "IMG_0005.DNG": ("failed", "fichier tronqué"),
            "IMG_0006.KDC": ("ready", ""),
        }
    out = manage("import_rushes", "--client", "w@x.test", str(card)).stdout
    assert out.count(": queued") == len(expected)

    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            current = statuses(db)
            if all(s in ("ready", "failed") for s, _ in current.values()):
                break
            assert cluster.poll() is None, "the cluster died"
            time.sleep(0.5)
        assert statuses(db) == expected
        assert cluster.poll() is None, "the cluster is still running after the broken files"
    finally:
        stop(cluster)


# qcluster, with the decoder made to wait at a gate (a folder): the worker says which process
# it is, and decodes once the test opens the gate. Forked workers inherit the patch.
GATED_QCLUSTER = """
import os, time
from pathlib import Path
import django
django.setup()
from booker.intake import imaging
gate = Path(os.environ["TEST_INGEST_GATE"])
decode = imaging.open_picture
def gated(source, long_edge):
    (gate / f"decoding-{os.getpid()}").write_text(str(source))
    while not (gate / "open").exists():
        time.sleep(0.05)
    return decode(source, long_edge)
imaging.open_picture = gated
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "qcluster"])
"""


def wait_for(condition, seconds: float, what: str, cluster: subprocess.Popen):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        assert cluster.poll() is None, "the cluster died"
        time.sleep(0.1)
    raise AssertionError(f"no {what} after {seconds} s")


def rush_row(db: Path) -> tuple[str, int, str, str]:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(
            "select ingest_status, attempts, proof, thumbnail from booker_rush"
        ).fetchone()


def test_a_worker_killed_while_decoding_leaves_the_rush_to_be_ingested_once_by_another(
    site, tmp_path
):
    manage, env, db = site
    gate = tmp_path / "gate"
    gate.mkdir()
    # A short lease, and a task timeout under it, as in production (300 s and 240 s).
    env = {**env, "TEST_INGEST_GATE": str(gate), "BOOKER_INGEST_LEASE_SECONDS": "6",
           "BOOKER_INGEST_TIMEOUT_SECONDS": "5"}
    card = tmp_path / "card"
    card.mkdir()
    (card / "IMG_0001.JPG").write_bytes(jpeg())
    assert manage("import_rushes", "--client", "w@x.test", str(card)).stdout.count(": queued") == 1

    cluster = subprocess.Popen(
        [sys.executable, "-c", GATED_QCLUSTER], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        [marker] = wait_for(lambda: list(gate.glob("decoding-*")), 60, "decode", cluster)
        worker = int(marker.name.split("-")[1])
        assert rush_row(db)[:2] == ("processing", 1)

        os.kill(worker, signal.SIGKILL)
        (gate / "open").touch()

        # The lease runs out; the scheduler's sweeper (every 30 s in django-q2) queues the
        # rush again, and a reincarnated worker makes its proof.
        status, attempts, proof, thumbnail = wait_for(
            lambda: (row := rush_row(db))[0] in ("ready", "failed") and row, 150, "ready rush",
            cluster,
        )
        assert (status, attempts) == ("ready", 2)
        assert cluster.poll() is None
    finally:
        stop(cluster)
    output = cluster.stdout.read()
    assert "requeued 1 stalled rushes" in output, output
    proofs = tmp_path / "private" / "proofs"
    assert sorted(str(p.relative_to(proofs)) for p in proofs.rglob("*") if p.is_file()) == sorted(
        [proof, thumbnail]
    )
    assert proof.endswith(".jpg") and thumbnail.endswith("-thumb.jpg")


# --- Stopping: Ctrl-C, TERM to the parent (`make run`'s trap), TERM to the whole group
# (systemd's KillMode=control-group, `kill -- -PGID`) — every process gone within 10 s.


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # Zombies answer too: count only processes that still run.
    out = subprocess.run(["ps", "-o", "stat=", "-g", str(pgid)], capture_output=True,
                         text=True).stdout.split()
    return any(not stat.startswith("Z") for stat in out)


@pytest.mark.parametrize(("to_group", "signum"), [
    (True, signal.SIGTERM), (True, signal.SIGINT), (False, signal.SIGTERM)],
    ids=["TERM to the group", "Ctrl-C", "TERM to the parent"])
def test_the_cluster_stops_every_process_within_ten_seconds(site, to_group, signum):
    _manage, env, _db = site
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            running = subprocess.run(["ps", "-o", "pid=", "-g", str(cluster.pid)],
                                     capture_output=True, text=True).stdout.split()
            if len(running) >= 5:  # parent, sentinel, monitor, pusher, workers
                break
            time.sleep(0.2)
        time.sleep(1)
        started = time.monotonic()
        if to_group:
            os.killpg(cluster.pid, signum)
        else:
            os.kill(cluster.pid, signum)
        cluster.wait(timeout=10)
        while _group_alive(cluster.pid) and time.monotonic() - started < 10:
            time.sleep(0.1)
        assert not _group_alive(cluster.pid), "a process of the cluster outlived the stop"
        assert time.monotonic() - started < 10
    finally:
        if _group_alive(cluster.pid):
            os.killpg(cluster.pid, signal.SIGKILL)


# qcluster whose workers say which worker decodes each rush (a marker file per decode), so
# the test can kill a worker that is working (not the child a worker decodes a RAW in);
# decoding takes a little longer, so the batch is still under way when the test strikes.
MARKED_QCLUSTER = """
import os, time
from pathlib import Path
import django
django.setup()
from django_q.signals import post_spawn
from booker.intake import imaging
marks = Path(os.environ["TEST_INGEST_MARKS"])
worker = []
post_spawn.connect(lambda **kwargs: worker.append(os.getpid()), weak=False)
decode = imaging.open_picture
def marked(source, long_edge):
    (marks / f"{worker[-1]}-{time.monotonic_ns()}").write_text(str(source))
    time.sleep(0.15)
    return decode(source, long_edge)
imaging.open_picture = marked
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "qcluster"])
"""


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db, timeout=10) as conn:
        return dict(conn.execute(
            "select ingest_status, count(*) from booker_rush group by ingest_status").fetchall())


@pytest.mark.slow
def test_a_batch_of_50_survives_a_killed_worker_then_a_killed_cluster_each_rush_once(
    site, tmp_path
):
    """Issue 22, "worker killed": kill -9 one worker in the middle of a 50-file batch, then
    the whole cluster; after a restart every rush ends ready or failed exactly once, with one
    proof and one thumbnail each and no other object on the proofs' storage."""
    manage, env, db = site
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**env, "TEST_INGEST_MARKS": str(marks), "BOOKER_INGEST_LEASE_SECONDS": "6",
           "BOOKER_INGEST_TIMEOUT_SECONDS": "5"}
    card = tmp_path / "card"
    card.mkdir()
    broken = {f"IMG_{i:04}.CR2" for i in (7, 23, 41)}
    for i in range(50):
        name = f"IMG_{i:04}.CR2" if f"IMG_{i:04}.CR2" in broken else f"IMG_{i:04}.JPG"
        data = b"\x00 not a raw %d" % i * 500 if name in broken else jpeg((1200 + i, 800))
        if SAMPLES.is_dir() and i % 10 == 5:
            # Trailing bytes make each copy a file of its own (the import skips duplicates).
            name = f"IMG_{i:04}.DNG"
            data = (SAMPLES / "canon_eos_6d.dng").read_bytes() + b"%d" % i
        (card / name).write_bytes(data)
    assert manage("import_rushes", "--client", "w@x.test", str(card)).stdout.count(
        ": queued") == 50

    log = tmp_path / "qcluster.log"

    def start() -> subprocess.Popen:
        with log.open("a") as out:
            return subprocess.Popen([sys.executable, "-c", MARKED_QCLUSTER], cwd=ROOT, env=env,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def done() -> int:
        counts = _counts(db)
        return counts.get("ready", 0) + counts.get("failed", 0)

    cluster = start()
    try:
        wait_for(lambda: done() >= 5, 120, "first rushes", cluster)
        worker = int(max(marks.iterdir(), key=lambda p: p.name.split("-")[1]).name.split("-")[0])
        os.kill(worker, signal.SIGKILL)  # a worker, in the middle of a decode
        wait_for(lambda: done() >= 20, 120, "more rushes after the worker was killed", cluster)
        os.killpg(cluster.pid, signal.SIGKILL)  # the whole cluster, tasks in flight
        cluster.wait()
        assert done() < 50, "the batch was over before the cluster was killed"
    finally:
        if _group_alive(cluster.pid):
            os.killpg(cluster.pid, signal.SIGKILL)
    killed_at = done()

    cluster = start()
    try:
        # What the dead cluster held: rushes left `processing` (their lease runs out) or
        # `pending` with their task lost; the minute's sweeper queues them again.
        wait_for(lambda: done() == 50, 240, "every rush done after the restart", cluster)
        time.sleep(2)  # a late duplicate task would show now
    finally:
        if cluster.poll() is None:
            stop(cluster)
        print(log.read_text()[-6000:])

    current = statuses(db)
    assert {name: status for name, (status, _) in current.items() if status != "ready"} == {
        name: "failed" for name in broken}
    with sqlite3.connect(db, timeout=10) as conn:
        rows = conn.execute("select proof, thumbnail, attempts from booker_rush "
                            "where ingest_status = 'ready'").fetchall()
    assert len(rows) == 47 and all(attempts >= 1 for *_, attempts in rows)
    expected = sorted(name for proof, thumb, _ in rows for name in (proof, thumb))
    proofs = tmp_path / "private" / "proofs"
    stored = sorted(str(p.relative_to(proofs)) for p in proofs.rglob("*") if p.is_file())
    assert stored == expected, "an orphan or a missing proof on storage"
    assert len(set(expected)) == 94
    print(f"killed at {killed_at} of 50 done")


# qcluster whose decoder never returns for a file ending in SPIN: in Python (the task's
# SIGALRM interrupts it), or as a decoder busy in C code that never gives Python the hand back
# (no handler of its process runs again: the alarm's, TERM's). The marks name the decoding
# process and its parent (the worker, when LibRaw decodes in a child of it).
SPINNING_QCLUSTER = """
import os, signal, time
from pathlib import Path
import django
django.setup()
from booker.intake import imaging
marks = Path(os.environ["TEST_INGEST_MARKS"])
decode = imaging.open_picture
def spinning(source, long_edge):
    if "SPIN" in Path(source).read_bytes()[-16:].decode("latin-1"):
        (marks / f"spinning-{os.getpid()}-{os.getppid()}").touch()
        if os.environ.get("TEST_SPIN_IN_C"):
            for signum in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, signal.SIG_IGN)
        while True:
            time.sleep(0.01)
    (marks / f"decoding-{os.getpid()}").touch()
    return decode(source, long_edge)
imaging.open_picture = spinning
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "qcluster"])
"""



@pytest.mark.slow
def test_a_decode_stuck_in_c_code_fails_its_rush_at_the_time_limit_and_the_worker_goes_on(
    site, tmp_path
):
    """Issue 22: LibRaw busy in C never lets the task's alarm (SIGALRM) raise in the process
    that decodes. It decodes in a child of the worker, which waits in Python, takes the alarm
    at the time limit, kills the child and fails the rush with the time limit's reason: at the
    limit, not a lease and a sweep later (the lease here is two minutes). The same worker
    takes the next rush."""
    from django.utils import translation

    _, env, db = site
    marks = tmp_path / "marks"
    marks.mkdir()
    limit = 3
    env = {**env, "TEST_INGEST_MARKS": str(marks), "TEST_SPIN_IN_C": "1", "Q_WORKERS": "1",
           "BOOKER_INGEST_TIMEOUT_SECONDS": str(limit), "BOOKER_INGEST_LEASE_SECONDS": "120"}
    manage = _manager(env)  # the task's timeout is set when it is queued
    card = tmp_path / "card"
    card.mkdir()
    # TIFF-shaped, as most RAWs: LibRaw's to decode.
    (card / "SPIN_0001.DNG").write_bytes(b"II*\x00" + bytes(4096) + b"SPIN")
    assert manage("import_rushes", "--client", "w@x.test", str(card)).stdout.count(
        ": queued") == 1
    cluster = subprocess.Popen(
        [sys.executable, "-c", SPINNING_QCLUSTER], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        [mark] = wait_for(lambda: list(marks.glob("spinning-*")), 60, "spinning decode", cluster)
        spun = time.monotonic()
        decoder, worker = (int(pid) for pid in mark.name.split("-")[1:])
        assert decoder != worker, "LibRaw decoded in the worker itself"
        status, reason = wait_for(
            lambda: (row := statuses(db)["SPIN_0001.DNG"])[0] == "failed" and row,
            limit + 20, "failed spinning rush", cluster)
        failed_after = time.monotonic() - spun
        with translation.override("fr"):
            assert reason == translation.gettext(ingest.TIMED_OUT) % {"seconds": limit}
        assert f"{limit} s" in reason
        # The limit counts from the task's start, a moment before the decode's.
        assert failed_after < limit + 2, f"failed {failed_after:.1f} s after the spin began"
        assert not _alive(decoder), "the stuck decoder outlived its rush"
        assert _alive(worker)

        card.joinpath("SPIN_0001.DNG").unlink()
        (card / "IMG_0002.JPG").write_bytes(jpeg())
        assert manage("import_rushes", "--client", "w@x.test", str(card)).stdout.count(
            ": queued") == 1
        wait_for(lambda: statuses(db).get("IMG_0002.JPG", ("",))[0] == "ready", 60,
                 "next rush ready", cluster)
        # A JPEG decodes in the worker: the one that waited for the stuck decoder.
        assert [int(p.name.split("-")[1]) for p in marks.glob("decoding-*")] == [worker]
        assert cluster.poll() is None
    finally:
        stop(cluster)
        # The stuck decoder is deaf to TERM: nothing of the group may outlive the test.
        if _group_alive(cluster.pid):
            os.killpg(cluster.pid, signal.SIGKILL)
    output = cluster.stdout.read()
    assert "reincarnated" not in output and "réincarné" not in output, output[-4000:]
    print(f"the decode stuck in C failed its rush {failed_after:.1f} s after it began "
          f"(limit {limit} s)")


def _alive(pid: int) -> bool:
    # The killed worker stays a zombie until the cluster reaps it: count only a running one.
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True,
                           text=True).stdout.strip()
    return bool(state) and not state.startswith("Z")
