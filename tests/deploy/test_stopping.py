"""Issue 22: `make run` and `make prod-local` stop every process they started within 10 s, on
Ctrl-C (SIGINT to the terminal's foreground process group) and on TERM to that group (what
`kill -- -PGID` and systemd's default KillMode=control-group send); prod-local on TERM to the
group only (its Ctrl-C takes the same path in bench.stack). The worker alone is tested
in tests/booker/test_worker.py; here the whole of each command, as a developer starts it.

The commands run their own recipes only (`make -o venv -o migrate -o seed`): the database is a
copy of the kept migrated schema, with no demo content (seeding is tested elsewhere and takes a
minute)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from bench import stack

ROOT = Path(__file__).resolve().parents[2]
SIGNALS = pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM],
                                  ids=["Ctrl-C", "TERM to the group"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has stopped; only its parent has not read it yet


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
    except OSError:
        return "?"


def _wait_ready(command: subprocess.Popen, url: str, at_least: int, log: Path) -> list[int]:
    """Every process the command started once its site answers and `at_least` processes run."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert command.poll() is None, f"the command stopped by itself:\n{log.read_text()[-3000:]}"
        try:
            answered = requests.get(url, timeout=2).status_code == 200
        except requests.RequestException:
            answered = False
        started = stack.descendants(command.pid)
        if answered and len(started) >= at_least:
            time.sleep(2)  # the cluster's last workers come up after its parent
            return [command.pid, *stack.descendants(command.pid)]
        time.sleep(0.5)
    raise AssertionError(f"not ready within 240 s:\n{log.read_text()[-3000:]}")


def _stop_and_time(command: subprocess.Popen, signum: int, pids: list[int]) -> float:
    started = time.monotonic()
    os.killpg(command.pid, signum)
    while any(_alive(pid) for pid in pids) and time.monotonic() - started < 20:
        time.sleep(0.1)
    left = [pid for pid in pids if _alive(pid)]
    what = {pid: _command_line(pid) for pid in left}
    try:
        command.wait(timeout=1)
    except subprocess.TimeoutExpired:
        pass
    for pid in left:  # leave nothing behind for the next test, whatever happened
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not left, f"still running {time.monotonic() - started:.1f} s after the signal: {what}"
    return time.monotonic() - started


def _as_from_a_terminal() -> None:
    # A terminal's shell starts a command with INT and TERM at their defaults; a test runner's
    # process may ignore one, and an ignored signal stays ignored across exec (bash cannot
    # even trap it): the command would then not be stopped the way a developer stops it.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(["make", "-o", "venv", *args], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_as_from_a_terminal)  # noqa: PLW1509 -- no threads


@pytest.mark.slow
@SIGNALS
def test_make_run_stops_the_site_and_the_worker_within_ten_seconds(tmp_path, signum):
    database = tmp_path / "db.sqlite3"
    shutil.copyfile(stack.sqlite_template(), database)
    port = stack.free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k.startswith(("PATH", "HOME", "LANG"))},
        "DATABASE_URL": f"sqlite:///{database}",
        "BOOKE_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "Q_WORKERS": "2",
    }
    log = tmp_path / "make-run.log"
    command = _start(["-o", "migrate", "-o", "seed", "run", "HOST=127.0.0.1", f"PORT={port}"],
                     env, log)
    # make, its shell, runserver, and qcluster's parent, sentinel, monitor, pusher, 2 workers
    pids = _wait_ready(command, f"http://127.0.0.1:{port}/healthz", 8, log)
    took = _stop_and_time(command, signum, pids)
    print(f"{len(pids)} processes stopped in {took:.1f} s")
    assert took < 10, f"{len(pids)} processes took {took:.1f} s to stop"


@pytest.mark.slow
def test_make_prod_local_stops_every_process_of_the_topology_within_ten_seconds(tmp_path):
    # TERM to the group only: bench.stack takes SIGINT and SIGTERM alike (KeyboardInterrupt),
    # and a start of the whole topology costs more than a minute of CI.
    signum = signal.SIGTERM
    database_url = "postgres://postgres@127.0.0.1:5432/booke_stopping_test"
    redis_url = "redis://127.0.0.1:6379/13"
    for problem in (stack.postgres_problem(database_url), stack.redis_problem(redis_url)):
        if problem:
            pytest.skip(problem)
    port = stack.free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k.startswith(("PATH", "HOME", "LANG"))},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
    }
    log = tmp_path / "prod-local.log"
    command = _start(["prod-local", f"PROD_PORT={port}", "PROD_ARGS=--no-seed"], env, log)
    # make, bench.stack, moto, gunicorn's master and 2 workers, qcluster's 6 processes; the
    # servers run in process groups of their own: bench.stack stops them.
    pids = _wait_ready(command, f"http://127.0.0.1:{port}/healthz", 11, log)
    took = _stop_and_time(command, signum, pids)
    print(f"{len(pids)} processes stopped in {took:.1f} s")
    assert took < 10, f"{len(pids)} processes took {took:.1f} s to stop"
