"""The production topology on loopback: moto's S3 server, gunicorn, qcluster, each a subprocess
with the production settings. Shared by `make prod-local` (`python -m bench.stack`), the
benchmarks and tests/deploy.

    from bench.stack import s3_endpoint, web, qcluster
    with s3_endpoint() as s3, web(s3.env | db) as site, qcluster(s3.env | db | redis):
        ...

Every process runs in a process group of its own, killed (TERM, then KILL) when its `with`
block ends, even on error. The app processes get the production settings
(`booke.settings.production`) with `BOOKE_LOCAL_HTTP=1` (plain http on loopback) and a
working directory and `BOOKE_VAR_DIR` outside the checkout: they must not need to write there,
which is what "stateless web processes" means (docs/deploy.md). Only the environment given to
these functions configures the app: the caller's own DATABASE_URL, REDIS_URL, AWS_*… are not
passed on, so a test run never reaches a database it did not name.

This module does not import Django: the test process and the app processes stay apart."""

from __future__ import annotations

import argparse
import atexit
import hashlib
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
REGION = "eu-west-3"
# moto accepts any key; naming them keeps boto3 away from whatever ~/.aws holds.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# What the bucket's deployment needs (docs/deploy.md): the public reads media/ and nothing else;
# browsers PUT rush parts straight to the bucket and must read each part's ETag.
UPLOAD_CORS = {
    "CORSRules": [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["PUT", "GET"], "AllowedHeaders": ["*"],
         "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3600},
    ]
}
# Variables that configure the app: never inherited from the caller, only passed explicitly.
APP_VARIABLES = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "SECRET_KEY",
                 "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL", "MEDIA_ROOT",
                 "PRIVATE_MEDIA_ROOT", "Q_WORKERS", "WEB_CONCURRENCY", "DEBUG")
APP_PREFIXES = ("AWS_", "BOOKE_", "BOOKER_", "HAYSTACK_", "GUNICORN_", "SECURE_")
# One key for every process this Python process starts: web and workers sign alike.
_SECRET_KEY = secrets.token_urlsafe(64)
STARTUP_TIMEOUT = 90


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- /proc -------------------------------------------------------------------------------------


def _status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def rss_kib(pid: int) -> int:
    """Resident memory of `pid` now (VmRSS), in KiB; 0 once it is gone."""
    return _status_kib(pid, "VmRSS")


def peak_rss_kib(pid: int) -> int:
    """Highest resident memory `pid` ever had (VmHWM), in KiB; 0 once it is gone."""
    return _status_kib(pid, "VmHWM")


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, start time in clock ticks)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), int(fields[19]))
    return table


def children(pid: int) -> list[int]:
    """Direct children of `pid`, oldest first."""
    table = _process_table()
    return sorted((p for p, (ppid, _) in table.items() if ppid == pid), key=lambda p: table[p][1])


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        found += kids
        todo += kids
    return found


# --- Subprocesses ------------------------------------------------------------------------------


@dataclass
class _Proc:
    popen: subprocess.Popen
    log: Path | None

    def tail(self, lines: int = 40) -> str:
        if self.log is None or not self.log.exists():
            return "(output went to the terminal)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def check_alive(self, what: str) -> None:
        if self.popen.poll() is not None:
            raise RuntimeError(f"{what} exited with {self.popen.returncode}:\n{self.tail()}")


_log_numbers = itertools.count(1)


def _start(cmd: list[str], env: dict[str, str], *, name: str, quiet: bool) -> _Proc:
    log = None
    out = None
    if quiet:
        log = state_dir() / "logs" / f"{name}-{next(_log_numbers)}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        out = open(log, "ab")  # noqa: SIM115 -- the child holds it; closed below
    try:
        popen = subprocess.Popen(
            cmd, env=env, cwd=run_dir(), stdout=out, stderr=subprocess.STDOUT if quiet else None,
            start_new_session=True,  # a process group of its own, killed as one
        )
    finally:
        if out is not None:
            out.close()
    return _Proc(popen, log)


_terminated: set[int] = set()


def terminate(pid: int) -> None:
    """TERM to a server's leading process, once: a second TERM is not a second request to stop
    for every server (a process that already stops may take it as "now, at once")."""
    if pid in _terminated:
        return
    _terminated.add(pid)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def _stop(proc: _Proc, grace: float = 15.0) -> None:
    """TERM to the group's leader (gunicorn's master, qcluster's main process: each stops its
    own children), then KILL to whatever is left of the group after `grace` seconds, which
    also takes children orphaned by a leader that died first."""
    pgid = proc.popen.pid
    if proc.popen.poll() is None:
        terminate(pgid)
        try:
            proc.popen.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.popen.wait(5)
    except subprocess.TimeoutExpired:
        pass


def _wait_until(ready, proc: _Proc, what: str, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proc.check_alive(what)
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s:\n{proc.tail()}")


# --- The app's environment ---------------------------------------------------------------------

_state: Path | None = None


def state_dir() -> Path:
    """This Python process's scratch folder, outside the checkout, removed at exit: logs,
    collected static files, the Whoosh index, the app processes' working directory."""
    global _state
    if _state is None:
        _state = Path(tempfile.mkdtemp(prefix="booke-stack-"))
        atexit.register(shutil.rmtree, _state, ignore_errors=True)
    return _state


def run_dir() -> Path:
    """The app processes' working directory: empty, and expected to stay so."""
    path = state_dir() / "run"
    path.mkdir(exist_ok=True)
    return path


def app_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of an app process: the caller's minus the app's own variables, the
    loopback production defaults, then `env`."""
    base = {key: value for key, value in os.environ.items()
            if key not in APP_VARIABLES and not key.startswith(APP_PREFIXES)}
    state = state_dir()
    defaults = {
        "DJANGO_SETTINGS_MODULE": "booke.settings.production",
        "SECRET_KEY": _SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BOOKE_LOCAL_HTTP": "1",
        # Static files (collected at "build" time) live here; nothing else should appear.
        "BOOKE_VAR_DIR": str(state / "var"),
        # The one piece of shared state on disk when no search server is configured.
        "HAYSTACK_WHOOSH_PATH": str(state / "shared" / "whoosh"),
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
    }
    return {**base, **defaults, **(env or {})}


def manage(env: dict[str, str], *args: str, check: bool = True,
           timeout: float = 900) -> subprocess.CompletedProcess:
    """`manage.py ARGS` with the app's environment (output captured)."""
    result = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args], env=app_env(env), cwd=run_dir(),
        capture_output=True, text=True, timeout=timeout,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def collectstatic(env: dict[str, str]) -> None:
    """The build step: WhiteNoise's manifest storage serves only collected files."""
    var_dir = Path(app_env(env)["BOOKE_VAR_DIR"])
    if not (var_dir / "static" / "staticfiles.json").exists():
        manage(env, "collectstatic", "--noinput", "-v0")


# --- S3 ----------------------------------------------------------------------------------------


@dataclass
class S3Endpoint:
    url: str
    bucket: str
    pid: int
    env: dict[str, str]
    client: Any  # a boto3 S3 client

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))


def bucket_policy(bucket: str) -> dict:
    """The deployment's bucket policy: anyone may read media/, nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PublicMedia", "Effect": "Allow", "Principal": "*",
                       "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/media/*"}],
    }


@contextmanager
def s3_endpoint(bucket: str = "booke-local", *, quiet: bool = True) -> Iterator[S3Endpoint]:
    """moto's S3 server in a subprocess (its memory is not ours) on a free loopback port, with
    the bucket, its policy and its CORS rule as deployed."""
    import boto3
    import requests

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start([PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                  {**os.environ, "PYTHONUNBUFFERED": "1"}, name="s3", quiet=quiet)
    try:
        _wait_until(lambda: requests.get(url, timeout=2).ok, proc, "moto S3 server")
        client = boto3.client(
            "s3", endpoint_url=url, region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(Bucket=bucket,
                             CreateBucketConfiguration={"LocationConstraint": REGION})
        client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(bucket_policy(bucket)))
        client.put_bucket_cors(Bucket=bucket, CORSConfiguration=UPLOAD_CORS)
        env = {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": url,
            "AWS_S3_ADDRESSING_STYLE": "path",  # 127.0.0.1 has no sub-domains for buckets
            "AWS_S3_REGION_NAME": REGION,
            **CREDENTIALS,
        }
        yield S3Endpoint(url=url, bucket=bucket, pid=proc.popen.pid, env=env, client=client)
    finally:
        _stop(proc)


# --- Web ---------------------------------------------------------------------------------------


@dataclass
class Web:
    url: str
    master_pid: int
    log: Path | None = None

    def worker_pids(self) -> list[int]:
        return children(self.master_pid)


@contextmanager
def web(env: dict[str, str], workers: int = 2, *, port: int | None = None,
        quiet: bool = True) -> Iterator[Web]:
    """gunicorn (booke.wsgi, the project's gunicorn.conf.py) with `workers` processes on a
    loopback port; returns once /healthz answers 200."""
    import requests

    collectstatic(env)
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
           "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           # Its own control socket (gunicornc), not the one in $HOME every gunicorn shares.
           "--control-socket", str(state_dir() / f"gunicorn-{port}.ctl"),
           "booke.wsgi:application"]
    proc = _start(cmd, app_env({"SITE_URL": url, **env}), name="web", quiet=quiet)
    try:
        site = Web(url=url, master_pid=proc.popen.pid, log=proc.log)
        _wait_until(lambda: requests.get(f"{url}/healthz", timeout=5).status_code == 200
                    and len(site.worker_pids()) >= workers, proc, "gunicorn")
        yield site
    finally:
        _stop(proc)


# --- Workers -----------------------------------------------------------------------------------


@dataclass
class Cluster:
    pid: int
    workers: int
    log: Path | None = None
    _auxiliaries: set[int] = field(default_factory=set)

    def sentinel_pid(self) -> int | None:
        kids = children(self.pid)
        return kids[0] if kids else None

    def worker_pids(self) -> list[int]:
        """The processes that run tasks: the Sentinel's children but its monitor and pusher
        (django-q2 starts the workers first, then those two; a worker that dies is replaced,
        the two are known from the start)."""
        sentinel = self.sentinel_pid()
        if sentinel is None:
            return []
        return [pid for pid in children(sentinel) if pid not in self._auxiliaries]


@contextmanager
def qcluster(env: dict[str, str], workers: int = 2, *, quiet: bool = True,
             script: str | None = None) -> Iterator[Cluster]:
    """`manage.py qcluster` with Q_WORKERS=`workers`; returns once its workers are up.
    `script`: Python run instead, that starts the cluster itself (a test's patched one)."""
    cmd = [PYTHON, "-c", script] if script else [PYTHON, str(ROOT / "manage.py"), "qcluster"]
    proc = _start(cmd, app_env({"Q_WORKERS": str(workers), **env}), name="qcluster",
                  quiet=quiet)
    try:
        cluster = Cluster(pid=proc.popen.pid, workers=workers, log=proc.log)

        def up() -> bool:
            sentinel = cluster.sentinel_pid()
            return sentinel is not None and len(children(sentinel)) >= workers + 2

        _wait_until(up, proc, "qcluster")
        cluster._auxiliaries = set(children(cluster.sentinel_pid())[workers:workers + 2])
        yield cluster
    finally:
        _stop(proc)


# --- PostgreSQL and Redis ----------------------------------------------------------------------


def _admin_url(database_url: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), name


def ensure_database(database_url: str, *, fresh: bool = False) -> None:
    """Create the PostgreSQL database of `database_url` if missing (dropped first if `fresh`)."""
    import psycopg
    from psycopg import sql

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


# --- Migrated databases, kept between runs ------------------------------------------------------
# Migrating an empty database runs some 400 migrations (Django, Wagtail, Oscar, ours): one to two
# minutes of CPU on a busy 2-core machine. The suite's own test databases, the worker test, the
# deploy tests and the benchmarks each need one of their own, so the first to need it migrates a
# template, kept in the user's cache folder (SQLite) or on the server (PostgreSQL), named after the
# migrations' fingerprint; every other database starts as a copy, then `migrate` runs on it as
# usual (nothing left to apply; the post-migrate rows are brought up to date).

# Outside the checkout, as the PostgreSQL template is outside it: every clone and worktree of
# the machine shares the one built for its migrations.
MIGRATED = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "booke" / "migrated"
TEMPLATE_PREFIX = "booke_migrated_"


def migrations_fingerprint() -> str:
    """What decides a migrated database's content: the migration files, the code our data
    migrations call (booker/roles.py), and the third-party versions (their migrations)."""
    paths = [*ROOT.glob("*/migrations/*.py"), *ROOT.glob("*/*/migrations/*.py"),
             ROOT / "booker" / "roles.py", ROOT / "requirements.lock"]
    digest = hashlib.sha256()
    for path in sorted(p for p in paths if p.is_file()):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _migrated_lock(kind: str) -> Iterator[None]:
    """One process at a time builds or copies a template (xdist workers start together)."""
    import fcntl

    MIGRATED.mkdir(parents=True, exist_ok=True)
    with open(MIGRATED / f".{kind}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _migrate_from_empty(database_url: str) -> None:
    manage({"DJANGO_SETTINGS_MODULE": "booke.settings.test", "DATABASE_URL": database_url},
           "migrate", "--noinput", "-v0", timeout=1800)


def sqlite_template() -> Path:
    """The kept migrated SQLite file (built now if missing). Copy it; never open it to write."""
    import sqlite3

    path = MIGRATED / f"sqlite-{migrations_fingerprint()}.sqlite3"
    with _migrated_lock("sqlite"):
        if not path.exists():
            building = path.with_suffix(".wip")
            building.unlink(missing_ok=True)
            _migrate_from_empty(f"sqlite:///{building}")
            # A plain rollback journal: a copy is then one file, with no -wal/-shm beside it.
            with sqlite3.connect(building) as conn:
                conn.execute("PRAGMA journal_mode=DELETE")
            building.replace(path)
            for stale in MIGRATED.glob("sqlite-*.sqlite3"):
                if stale != path:
                    stale.unlink(missing_ok=True)
    return path


def _on_server(database_url: str, name: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))


def postgres_template(database_url: str) -> str:
    """The name of the kept migrated database on the server of `database_url` (built now if
    missing), for CREATE DATABASE ... TEMPLATE."""
    import psycopg
    from psycopg import sql

    name = TEMPLATE_PREFIX + migrations_fingerprint()
    admin, _ = _admin_url(database_url)
    with _migrated_lock("postgres"), psycopg.connect(admin, autocommit=True,
                                                     connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return name
        building = name + "_wip"
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(building)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
        _migrate_from_empty(_on_server(database_url, building))
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(building), sql.Identifier(name)))
        stale = conn.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s",
            [TEMPLATE_PREFIX, name]).fetchall()
        for (old,) in stale:
            try:
                conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(old)))
            except psycopg.Error:  # in use by a run on older code: left for next time
                pass
    return name


def create_from_template(database_url: str) -> None:
    """(Re)create the database of `database_url` as a copy of the kept migrated template."""
    if database_url.startswith("sqlite:///"):
        target = Path(database_url.removeprefix("sqlite:///"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sqlite_template(), target)
        return
    import psycopg
    from psycopg import sql

    template = postgres_template(database_url)
    admin, name = _admin_url(database_url)
    with _migrated_lock("postgres"), psycopg.connect(admin, autocommit=True,
                                                     connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)))


def _is_empty(database_url: str) -> bool:
    """No tables yet (or no database at all)."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        return not path.exists() or path.stat().st_size == 0
    import psycopg

    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return True
    with psycopg.connect(_on_server(database_url, name).replace("postgres://", "postgresql://"),
                         connect_timeout=5) as conn:
        return not conn.execute("SELECT 1 FROM information_schema.tables "
                                "WHERE table_schema = 'public' LIMIT 1").fetchone()


def migrate(env: dict[str, str], *args: str) -> None:
    """`migrate` the database of env's DATABASE_URL; a new or empty one is first made a copy of
    the kept migrated template, so that only what the template lacks is applied."""
    url = app_env(env).get("DATABASE_URL", "")
    if url.startswith(("sqlite:///", "postgres://", "postgresql://")) and _is_empty(url):
        create_from_template(url)
    manage(env, "migrate", "--noinput", *args)


def postgres_problem(database_url: str) -> str:
    """Why PostgreSQL at `database_url` cannot be used, or "" when it can."""
    try:
        import psycopg

        psycopg.connect(_admin_url(database_url)[0], connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 -- any failure means "not reachable"
        return f"PostgreSQL unreachable at {urlsplit(database_url).netloc}: {exc}"
    return ""


def redis_problem(redis_url: str) -> str:
    """Why Redis at `redis_url` cannot be used, or "" when it can."""
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis unreachable at {redis_url}: {exc}"
    return ""


def flush_redis(redis_url: str) -> None:
    """Empty Redis database of `redis_url`: tasks left by an earlier run name rows that a
    fresh database does not have."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()


# --- The photographer's side of HTTP -----------------------------------------------------------


def login(http, base_url: str, email: str, password: str) -> None:
    """Log `http` (a requests.Session) in through the one login page."""
    http.get(f"{base_url}/accounts/login/", timeout=30).raise_for_status()
    answer = http.post(
        f"{base_url}/accounts/login/",
        data={"username": email, "password": password,
              "csrfmiddlewaretoken": http.cookies["csrftoken"]},
        headers={"Referer": f"{base_url}/accounts/login/"}, timeout=30, allow_redirects=False,
    )
    if answer.status_code != 302 or "sessionid" not in http.cookies:
        raise RuntimeError(f"login as {email} refused ({answer.status_code})")
    _second_factor(http, base_url, email)


def _second_factor(http, base_url: str, email: str) -> None:
    """Back-office people give a code after the password (booker.twofactor): the demo's and
    the benchmarks' accounts have an app with the demo's public key (booker.demo)."""
    from base64 import b32decode

    from django_otp.oath import totp

    from booker.demo import DEMO_TOTP_SECRET

    verify = f"{base_url}/accounts/2fa/verify/"
    for _attempt in range(2):
        page = http.get(verify, timeout=30, allow_redirects=False)
        if page.status_code == 302:
            return  # no second factor asked (a client), or already given
        code = f"{totp(b32decode(DEMO_TOTP_SECRET)):06d}"
        answer = http.post(
            verify, data={"code": code, "csrfmiddlewaretoken": http.cookies["csrftoken"]},
            headers={"Referer": verify}, timeout=30, allow_redirects=False,
        )
        if answer.status_code == 302:
            return
        # A code is taken once: an earlier login in the same 30 s used it. Wait for the next.
        time.sleep(31 - time.time() % 30)
    raise RuntimeError(f"second factor of {email} refused ({answer.status_code})")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _b64_sha256(data: bytes) -> str:
    import base64

    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _read_part(path: Path, offset: int, size: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(offset)
        return fh.read(size)


def drive_upload(http, base_url: str, session_id: int, path: Path | str, *,
                 parallel: int = 2, sha256: str | None = None,
                 part_size: int = 16 * 1024 * 1024) -> dict:
    """Upload one rush as the studio's uploader does (docs: the rush upload API): start (or
    resume), send the missing parts straight to S3 through presigned URLs (or chunks to the
    app in local mode), complete. `http` is a logged-in requests.Session. Returns the answer
    of `complete` (or of `start` for a duplicate) with `upload`, `mode` and `sent` (bytes).
    `part_size`: the server's (BOOKER_UPLOAD_PART_SIZE), which the parts are fingerprinted
    with before the start."""
    import requests

    path = Path(path)
    size = path.stat().st_size
    base = f"{base_url}/admin/booker/photosession/{session_id}/studio/uploads/"

    def call(method: str, url: str, **kwargs) -> requests.Response:
        headers = {"X-CSRFToken": http.cookies.get("csrftoken", ""), "Referer": base}
        return http.request(method, url, headers=headers, timeout=120, **kwargs)

    answer = call("POST", base, json={
        "filename": path.name, "size": size, "sha256": sha256 or file_sha256(path),
        # booker.uploads.part_checksums_of, without importing Django into the bench
        "part_sha256": [_b64_sha256(_read_part(path, at, part_size))
                        for at in range(0, size, part_size)],
    })
    started = answer.json()
    if started.get("status") != "uploading":
        if answer.status_code >= 400 and started.get("status") != "error":
            answer.raise_for_status()
        return started
    upload, mode, part_size = started["upload"], started["mode"], started["part_size"]
    sent = 0
    if mode == "s3":
        count = max(1, -(-size // part_size))
        have = {part["number"] for part in started["parts"]}
        missing = [n for n in range(1, count + 1) if n not in have]
        if missing:
            urls = call("POST", f"{base}{upload}/parts/", json={"numbers": missing})
            urls.raise_for_status()
            signed = urls.json()["urls"]

            def put(number: int) -> int:
                body = _read_part(path, (number - 1) * part_size, part_size)
                # Straight to S3, as the browser does: no cookie, no CSRF, only the signature
                # and the part's checksum it was signed with.
                reply = requests.put(signed[str(number)], data=body, timeout=300,
                                     headers={"x-amz-checksum-sha256": _b64_sha256(body)})
                reply.raise_for_status()
                return len(body)

            with ThreadPoolExecutor(max(1, parallel)) as pool:
                sent = sum(pool.map(put, missing))
    else:
        received = started["received"]
        while received < size:
            body = _read_part(path, received, part_size)
            reply = call("PUT", f"{base}{upload}/chunk/?offset={received}", data=body)
            if reply.status_code not in (200, 409):
                reply.raise_for_status()
            new = reply.json()["received"]
            sent += max(0, new - received)
            received = new
    done = call("POST", f"{base}{upload}/complete/", json={})
    result = done.json()
    return {**result, "upload": upload, "mode": mode, "sent": sent,
            "http_status": done.status_code}


def wait_for_proofs(http, base_url: str, session_id: int, *, timeout: float = 300) -> dict:
    """Poll the studio's progress endpoint until no rush is pending or processing."""
    url = f"{base_url}/admin/booker/photosession/{session_id}/studio/progress/"
    deadline = time.monotonic() + timeout
    while True:
        answer = http.get(url, timeout=30)
        answer.raise_for_status()
        progress = answer.json()
        if progress["in_flight"] == 0 and progress["rushes"]:
            return progress
        if time.monotonic() > deadline:
            raise TimeoutError(f"rushes still in flight after {timeout:.0f} s: {progress}")
        time.sleep(0.5)


# --- make prod-local ---------------------------------------------------------------------------

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/booke_prodlocal"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"


@dataclass
class Stack:
    s3: S3Endpoint
    site: Web
    cluster: Cluster
    env: dict[str, str]


@contextmanager
def prod_local(database_url: str = DEFAULT_DATABASE_URL, redis_url: str = DEFAULT_REDIS_URL, *,
               port: int | None = None, web_workers: int = 2, task_workers: int = 2,
               fresh: bool = False, seed: bool = True, quiet: bool = True,
               extra_env: dict[str, str] | None = None, log=print) -> Iterator[Stack]:
    """The whole topology: PostgreSQL database (created if missing), Redis broker, S3 endpoint,
    migrations and demo content, then gunicorn and qcluster. `extra_env`: more of the app's
    variables (the caller's own never reach the app: see app_env)."""
    for problem in (postgres_problem(database_url), redis_problem(redis_url)):
        if problem:
            raise RuntimeError(problem)
    ensure_database(database_url, fresh=fresh)
    if fresh:
        flush_redis(redis_url)
    # moto logs every request it answers: to a file, whatever `quiet` says.
    with s3_endpoint() as s3:
        env = {**s3.env, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
               **(extra_env or {})}
        log(f"  S3 endpoint  {s3.url}  (bucket {s3.bucket})")
        log("  migrate…")
        migrate(env)
        if seed:
            log("  seed_demo… (demo proofs go to the bucket)")
            manage(env, "seed_demo", "--quiet")
        log("  collectstatic…")
        collectstatic(env)
        with web(env, web_workers, port=port, quiet=quiet) as site, \
                qcluster(env, task_workers, quiet=quiet) as cluster:
            try:
                yield Stack(s3=s3, site=site, cluster=cluster, env=env)
            finally:
                # Every server told at once: stopped one after the other, their exits added up
                # to more than the 10 s a stop may take (tests/deploy/test_stopping.py).
                for pid in (cluster.pid, site.master_pid, s3.pid):
                    terminate(pid)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.stack",
        description="The production topology on loopback (make prod-local). Ctrl-C stops it.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL")
                        or DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8001)))
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--fresh", action="store_true",
                        help="drop and recreate the database, empty the Redis database")
    parser.add_argument("--no-seed", dest="seed", action="store_false",
                        help="no demo content (the migrated schema only)")
    args = parser.parse_args(argv)

    def on_signal(signum, frame):
        raise KeyboardInterrupt  # `kill` stops it as Ctrl-C does

    signal.signal(signal.SIGTERM, on_signal)
    try:
        with prod_local(args.database_url, args.redis_url, port=args.port,
                        web_workers=args.web_workers, task_workers=args.task_workers,
                        fresh=args.fresh, seed=args.seed, quiet=False) as stack:
            url = stack.site.url
            print(f"""
  Production settings on loopback (BOOKE_LOCAL_HTTP=1), see docs/deploy.md
  Site        {url}/
  Shop        {url}/shop/
  My space    {url}/portal/
  Studio      {url}/admin/      (photographers, retouchers)
  CMS         {url}/cms/        (editors)
  Shop admin  {url}/dashboard/  (shop managers)
  PostgreSQL  {args.database_url}
  Redis       {args.redis_url}  (django-q2 broker, {args.task_workers} workers)
  gunicorn    {args.web_workers} workers, master pid {stack.site.master_pid}
  S3          {stack.s3.url}/{stack.s3.bucket}  (moto; AWS keys: testing/testing)
""")
            print(manage(stack.env, "demo_logins").stdout)
            print("  Ctrl-C stops everything.", flush=True)
            try:
                while True:
                    time.sleep(1)
            except KeyboardInterrupt:
                print("\n  stopping…", flush=True)
    except KeyboardInterrupt:
        pass  # during start-up: the `with` blocks have stopped what had started
    return 0


if __name__ == "__main__":
    sys.exit(main())
