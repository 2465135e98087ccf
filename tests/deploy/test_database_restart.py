"""Issue 22, "database restarted": PostgreSQL restarts while gunicorn answers requests and the
qcluster runs tasks. Requests fail for at most the restart's duration, then succeed with no
manual action (persistent connections checked before reuse, CONN_HEALTH_CHECKS); a task in
flight (an ingest, claimed, its proof being made) writes its result once the database is back,
once (booker/reconnect.py); the cluster outlives it and runs the tasks queued after it.

The database is a PostgreSQL cluster of the test's own (initdb in a temporary folder, on a free
port), so that restarting it disturbs no other test: the machine's server holds every other
test database. Its content is the migrated schema of a kept template database on the machine's
server (migrated once, then kept between runs as tests/deploy/test_prod_local.py keeps its own),
copied with pg_dump | pg_restore in seconds."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bench import stack
from tests.booker.test_worker import GATED_QCLUSTER, jpeg

TEMPLATE_URL = "postgres://postgres@127.0.0.1:5432/booke_dbrestart_template"
BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


@dataclass
class PrivatePostgres:
    port: int
    data: Path
    folder: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/booke"

    def ctl(self, *args: str) -> None:
        _as_postgres(f"{BINARIES[-1]}/pg_ctl", "-D", str(self.data), "-w", "-t", "60", *args)

    def options(self) -> str:
        return (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c full_page_writes=off")


def _as_postgres(*cmd: str, **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        cmd = ("runuser", "-u", "postgres", "--", *cmd)
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120,
                          **kwargs)


def _problem() -> str:
    if not BINARIES:
        return "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "no postgres user to run a PostgreSQL cluster of the test's own"
    return stack.postgres_problem(TEMPLATE_URL)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    folder = Path(tempfile.mkdtemp(prefix="booke-pg-"))
    owner = pwd.getpwnam("postgres")
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    pg = PrivatePostgres(port=stack.free_port(), data=folder / "data", folder=folder)
    try:
        _as_postgres(f"{BINARIES[-1]}/initdb", "-D", str(pg.data), "-U", "postgres",
                     "-A", "trust", "--no-sync", "-E", "UTF8")
        pg.ctl("-l", str(folder / "server.log"), "-o", pg.options(), "start")
        yield pg
    finally:
        try:
            pg.ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(folder, ignore_errors=True)


def _copy_template(pg: PrivatePostgres) -> None:
    stack.migrate({"DATABASE_URL": TEMPLATE_URL})
    stack.ensure_database(pg.url)
    dump = subprocess.run(["pg_dump", "-Fc", "--no-owner", TEMPLATE_URL.replace(
        "postgres://", "postgresql://")], check=True, capture_output=True, timeout=300).stdout
    subprocess.run(["pg_restore", "--no-owner", "-d", pg.url.replace(
        "postgres://", "postgresql://")], input=dump, check=True, capture_output=True,
        timeout=300)


class Load(threading.Thread):
    """GET `url` again and again from 3 threads' worth of connections, noting (time, status)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.results, self.stopping = url, [], threading.Event()

    def run(self) -> None:
        http = requests.Session()
        while not self.stopping.is_set():
            at = time.monotonic()
            try:
                status = http.get(self.url, timeout=5).status_code
            except requests.RequestException:
                status = 0
            self.results.append((at, status))
            time.sleep(0.02)


def _task_done(database_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://"),
                         connect_timeout=3) as conn:
        row = conn.execute("SELECT success FROM django_q_task WHERE name = %s", [name]).fetchone()
    return bool(row and row[0])


def _rush(database_url: str) -> tuple:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://"),
                         connect_timeout=3) as conn:
        return conn.execute("SELECT id, ingest_status, attempts, proof, thumbnail "
                            "FROM booker_rush").fetchone()


def _queue(env: dict, name: str) -> None:
    stack.manage(env, "shell", "-c", "from django_q.tasks import async_task; "
                 f"async_task('booker.tasks.plan_missed_events', task_name='{name}')")


@pytest.mark.slow
def test_requests_and_tasks_come_back_by_themselves_after_the_database_restarts():
    problem = _problem()
    if problem:
        pytest.skip(problem)
    with private_postgres() as pg:
        _copy_template(pg)
        gate = pg.folder / "gate"
        gate.mkdir()
        card = pg.folder / "card"
        card.mkdir()
        (card / "IMG_0001.JPG").write_bytes(jpeg())
        env = {
            "DATABASE_URL": pg.url,  # no REDIS_URL: the ORM broker, in this very database
            "PRIVATE_MEDIA_ROOT": str(pg.folder / "private"), "TEST_INGEST_GATE": str(gate),
            # A lease far longer than the test: a rush that comes through has not waited for
            # it and the sweep, it was written by the task that had it in flight.
            "BOOKER_INGEST_TIMEOUT_SECONDS": "100", "BOOKER_INGEST_LEASE_SECONDS": "300",
        }
        with stack.web(env, workers=1) as site, stack.qcluster(
                env, workers=1, script=GATED_QCLUSTER) as cluster:
            _queue(env, "before the restart")
            deadline = time.monotonic() + 90
            while not _task_done(pg.url, "before the restart"):
                assert time.monotonic() < deadline, "the cluster ran no task"
                time.sleep(0.5)
            # An ingest in flight: claimed, its decode held at the gate until after the restart.
            stack.manage(env, "shell", "-c", "from booker.services import ensure_user; "
                         "from django.core.management import call_command; "
                         "ensure_user('w@x.test'); "
                         f"call_command('import_rushes', '{card}', client='w@x.test')")
            deadline = time.monotonic() + 90
            while not list(gate.glob("decoding-*")):
                assert time.monotonic() < deadline, "the cluster took no ingest"
                time.sleep(0.2)
            assert _rush(pg.url)[1:3] == ("processing", 1)

            loads = [Load(f"{site.url}/healthz") for _ in range(3)]
            for load in loads:
                load.start()
            time.sleep(2)
            began = time.monotonic()
            pg.ctl("-m", "fast", "-l", str(pg.folder / "server.log"), "-o", pg.options(),
                   "restart")
            restarted = time.monotonic()
            (gate / "open").touch()  # its connection died with the server: the write meets that
            time.sleep(4)
            for load in loads:
                load.stopping.set()
            for load in loads:
                load.join(10)

            results = sorted(r for load in loads for r in load.results)
            failed = [at for at, status in results if status != 200]
            assert failed, "no request met the restart: it proved nothing"
            # Failures only while the server was down (and the moment its port took to
            # answer again); every request after that succeeds, on every connection: one
            # the restart broke is found so before it is used (CONN_HEALTH_CHECKS).
            assert all(began - 0.5 <= at <= restarted + 0.3 for at in failed), (
                f"restart {began:.2f}–{restarted:.2f}, failures at "
                f"{[round(at, 2) for at in failed]}")
            after = [status for at, status in results if at > restarted + 0.3]
            assert len(after) > 20 and set(after) == {200}

            # The ingest in flight wrote its result once the database was back: ready, on its
            # first attempt (not taken again after its lease), one proof and one thumbnail.
            deadline = restarted + 30
            while (rush := _rush(pg.url))[1] != "ready":
                assert time.monotonic() < deadline, f"the ingest in flight did not end: {rush}"
                time.sleep(0.2)
            ingested = time.monotonic() - restarted
            pk, status, attempts, proof, thumbnail = rush
            assert attempts == 1
            proofs = pg.folder / "private" / "proofs"
            assert sorted(str(p.relative_to(proofs)) for p in proofs.rglob("*")
                          if p.is_file()) == sorted([proof, thumbnail])
            assert _task_done(pg.url, f"ingest-rush-{pk}")

            # The cluster lived through it and takes new work without being restarted.
            _queue(env, "after the restart")
            deadline = time.monotonic() + 90
            while not _task_done(pg.url, "after the restart"):
                assert time.monotonic() < deadline, "no task ran after the restart"
                assert cluster.worker_pids(), "the cluster's workers are gone"
                time.sleep(0.5)
            print(f"restart took {restarted - began:.2f} s; {len(failed)} of {len(results)} "
                  f"requests failed meanwhile; the ingest in flight was ready {ingested:.1f} s "
                  "after the restart")
