"""RAWs per minute through the real ingest pipeline, against what the libraries alone allow.

    python -m bench ingest N [--preview full|sony] [--broker orm|redis]
                             [--start-method fork|spawn|both]

1. N synthetic 24 MP DNGs (`bench.dng.write_dng`, seeds 1..N), cached under var/bench/ingest/.
2. Ceiling: the work of one ingest without Django (`bench.proofs.one`: decode, fit, watermark,
   proof and thumbnail JPEGs, EXIF) over the N files in a Pool of 2 processes.
3. Naive: LibRaw full-size `postprocess()` + resize to the proof size, Pool of 2, min(N, 4)
   files: what the embedded-preview / half-size path saves.
4. Real: the project's own commands in subprocesses against a throwaway SQLite file (or
   DATABASE_URL when set): `migrate`, a client, `import_rushes` (queues N tasks), then
   `qcluster` with Q_WORKERS=2, timed from its start until every rush is ready or failed;
   peak RSS (VmHWM) of the cluster's processes, sampled from /proc.
   `--start-method spawn` runs qcluster through a wrapper that makes django-q2 spawn its
   processes instead of forking them (it hardcodes fork in `django_q.cluster.get_mp_context`).

Last line: `ingest N=<n> <preview>: real/ceiling = <ratio>` (ratio of RAWs/min, first start
method measured)."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench" / "ingest"
REDIS_URL = "redis://127.0.0.1:6379/15"
CLIENT = "bench-ingest@booke.test"
TIMEOUT = 600  # seconds for one cluster run

# django-q2 makes its queues and events from the default context and its processes from
# get_mp_context(), in the qcluster process and again in its Sentinel: both must say spawn,
# there and in the spawned Sentinel (a fresh interpreter that knows nothing of this patch),
# or the workers are still forked, or the SemLocks cannot be shared.
SPAWN_QCLUSTER = (
    "import multiprocessing\n"
    "multiprocessing.set_start_method('spawn', force=True)\n"
    "import django_q.cluster as c, bench.ingest as b\n"
    "c.get_mp_context = b.spawn_context\n"
    "c.Sentinel = b.spawned_sentinel\n"
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(['manage.py', 'qcluster'])\n"
)


def spawn_context():
    return multiprocessing.get_context("spawn")


def spawned_sentinel(*args):
    """django_q's Sentinel, run in a spawned process with spawn for everything it starts."""
    multiprocessing.set_start_method("spawn", force=True)
    import django_q.cluster as cluster

    cluster.get_mp_context = spawn_context
    return cluster.Sentinel(*args)


# --- 1. Files -------------------------------------------------------------------------------


def camera_files(n: int, preview: str) -> list[Path]:
    from bench.dng import write_dng

    files = []
    for seed in range(1, n + 1):
        path = CACHE / preview / f"IMG_{seed:04d}.DNG"
        if not path.exists():
            started = time.perf_counter()
            tmp = path.with_suffix(".tmp")
            write_dng(tmp, 6000, 4000, preview=preview, seed=seed)
            tmp.rename(path)
            print(f"  wrote {path.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")
        files.append(path)
    return files


# --- 2 and 3. The libraries alone -----------------------------------------------------------


def _ceiling_one(path: str) -> int:
    from bench.proofs import one

    one(Path(path).read_bytes())
    return 1


def _naive_one(path: str) -> int:
    import io

    import rawpy
    from PIL import Image

    from booker import services

    with rawpy.imread(io.BytesIO(Path(path).read_bytes())) as raw:
        rgb = raw.postprocess(use_camera_wb=True, output_bps=8)
    img = Image.fromarray(rgb)
    del rgb
    img.thumbnail((services.PROOF_EDGE, services.PROOF_EDGE), Image.Resampling.LANCZOS)
    return 1


def _setup() -> None:
    import django

    django.setup()
    import bench.proofs  # noqa: F401 -- imports out of the timing


def pooled(func, files: list[Path]) -> float:
    """Seconds for a Pool of 2 to do `func` over `files` (pool start-up excluded). Spawned,
    not forked: rawpy's LibRaw is built with OpenMP, which a fork child must not inherit."""
    with multiprocessing.get_context("spawn").Pool(2, initializer=_setup) as pool:
        pool.map(int, [0, 0])  # both workers up
        started = time.perf_counter()
        pool.map(func, [str(p) for p in files], chunksize=1)
        return time.perf_counter() - started


# --- 4. The real pipeline -------------------------------------------------------------------


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _flush_redis() -> None:
    with socket.create_connection(("127.0.0.1", 6379), timeout=5) as sock:
        sock.sendall(b"*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n*1\r\n$7\r\nFLUSHDB\r\n")
        reply = b""
        while reply.count(b"\r\n") < 2:
            reply += sock.recv(100)
    if reply != b"+OK\r\n+OK\r\n":
        raise RuntimeError(f"redis: {reply!r}")


class Site:
    """A throwaway database, media folders and environment for the project's commands."""

    def __init__(self, tmp: Path, broker: str):
        self.tmp = tmp
        self.external = "DATABASE_URL" in os.environ
        self.db = tmp / "ingest.sqlite3"
        keep = ("PATH", "HOME", "LANG", "LC_", "TMPDIR")
        self.env = {
            **{k: v for k, v in os.environ.items() if k.startswith(keep)},
            "DJANGO_SETTINGS_MODULE": "booke.settings.dev",
            "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{self.db}"),
            "BOOKE_VAR_DIR": str(tmp / "var"),
            "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
            "MEDIA_ROOT": str(tmp / "media"),
            "Q_WORKERS": "2",
            "PYTHONUNBUFFERED": "1",
        }
        if broker == "redis":
            self.env["REDIS_URL"] = REDIS_URL

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}")
        return result.stdout

    def statuses(self, session_id: int) -> list[tuple[str, str]]:
        if self.external:
            from booker.models import Rush

            rows = Rush.objects.filter(session_id=session_id).values_list(
                "ingest_status", "failure_reason"
            )
            return list(rows)
        with sqlite3.connect(self.db, timeout=20) as conn:
            return conn.execute(
                "select ingest_status, failure_reason from booker_rush where session_id = ?",
                (session_id,),
            ).fetchall()


def real(site: Site, files: list[Path], start_method: str, broker: str) -> dict:
    card = site.tmp / f"card-{start_method}"
    card.mkdir()
    for path in files:
        try:
            os.link(path, card / path.name)
        except OSError:
            shutil.copy(path, card / path.name)
    if broker == "redis":
        _flush_redis()
    out = site.manage("import_rushes", "--client", CLIENT, "--title", f"bench {start_method}",
                      str(card))
    session_id = int(out.split("#", 1)[1].split()[0])
    queued = out.count(": queued")
    if queued != len(files):
        raise RuntimeError(f"import_rushes queued {queued} of {len(files)}:\n{out}")

    if start_method == "spawn":
        command = [sys.executable, "-c", SPAWN_QCLUSTER]
    else:
        command = [sys.executable, "manage.py", "qcluster"]
    log_path = site.tmp / f"qcluster-{start_method}.log"
    with open(log_path, "w") as log:
        started = time.perf_counter()
        cluster = subprocess.Popen(
            command, cwd=ROOT, env=site.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    hwm: dict[int, int] = {}
    first_busy = None
    died = False
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            for pid in _descendants(cluster.pid):
                kb = _hwm_kb(pid)
                if kb is not None:
                    hwm[pid] = max(hwm.get(pid, 0), kb)
            rows = site.statuses(session_id)
            if first_busy is None and any(s != "pending" for s, _ in rows):
                first_busy = time.perf_counter() - started
            if rows and all(s in ("ready", "failed") for s, _ in rows):
                break
            if cluster.poll() is not None:
                died = True
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"cluster not done after {TIMEOUT} s, see {log_path}")
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
        parent_kb = _hwm_kb(cluster.pid) or 0
    finally:
        if cluster.poll() is None:
            os.killpg(cluster.pid, signal.SIGTERM)
            try:
                cluster.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(cluster.pid, signal.SIGKILL)
                cluster.wait()
    text = log_path.read_text(errors="replace")
    rows = site.statuses(session_id)
    ready = sum(s == "ready" for s, _ in rows)
    failures = sorted({reason for s, reason in rows if s == "failed"})
    # A worker that dies is replaced by the sentinel ("reincarnated"); its task is lost.
    incidents = [
        line.strip()
        for line in text.splitlines()
        if any(word in line.lower() for word in ("reincarnated", "died", "traceback", "error"))
    ]
    return {
        "done": sum(s in ("ready", "failed") for s, _ in rows),
        "seconds": elapsed,
        "first_busy": first_busy,
        "ready": ready,
        "failures": failures,
        "died": died,
        "processes": len(hwm),
        "peak_kb": max(hwm.values(), default=0),
        "parent_kb": parent_kb,
        "incidents": incidents,
        "fork_warnings": text.count("rawpy is being used in a process created by"),
        "log": log_path,
    }


# --- The command ----------------------------------------------------------------------------


def per_minute(count: int, seconds: float) -> float:
    return count / seconds * 60 if seconds else 0.0


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ingest")
    parser.add_argument("n", type=int, help="how many 24 MP DNGs")
    parser.add_argument("--preview", choices=("full", "sony"), default="full")
    parser.add_argument("--broker", choices=("orm", "redis"), default="orm")
    parser.add_argument("--start-method", choices=("fork", "spawn", "both"), default="fork")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway folder")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    methods = ["fork", "spawn"] if args.start_method == "both" else [args.start_method]

    print(f"ingest: {args.n} × 24 MP DNG, preview {args.preview}, broker {args.broker}, "
          f"start method {'+'.join(methods)}, watermark {settings.STUDIO_WATERMARK!r}")
    files = camera_files(args.n, args.preview)

    ceiling_s = pooled(_ceiling_one, files)
    ceiling = per_minute(len(files), ceiling_s)
    print(f"ceiling (bench.proofs.one, Pool 2, {len(files)} files): "
          f"{ceiling_s:.1f} s, {ceiling:.1f} RAWs/min")

    naive_files = files[:4]
    naive_s = pooled(_naive_one, naive_files)
    naive = per_minute(len(naive_files), naive_s)
    print(f"naive (LibRaw full postprocess + resize, Pool 2, {len(naive_files)} files): "
          f"{naive_s:.1f} s, {naive:.1f} RAWs/min")

    tmp = Path(tempfile.mkdtemp(prefix="ingest-", dir=CACHE))
    results = {}
    try:
        site = Site(tmp, args.broker)
        started = time.perf_counter()
        site.manage("migrate", "--noinput")
        site.manage("shell", "-c",
                    f"from booker.services import ensure_user; ensure_user({CLIENT!r})")
        print(f"throwaway site ready ({'DATABASE_URL' if site.external else 'SQLite'}) "
              f"in {time.perf_counter() - started:.1f} s")
        for method in methods:
            r = results[method] = real(site, files, method, args.broker)
            rate = per_minute(r["done"], r["seconds"])
            busy = r["seconds"] - (r["first_busy"] or 0)
            print(
                f"real ({method}, {args.broker}, Q_WORKERS=2): {r['seconds']:.1f} s "
                f"(first claim after {r['first_busy'] or 0:.1f} s), "
                f"{rate:.1f} RAWs/min "
                f"({per_minute(args.n, busy):.1f} from the first claim); "
                f"{r['ready']} ready, {args.n - r['ready']} not"
                + (f" ({'; '.join(r['failures'])})" if r["failures"] else "")
            )
            print(
                f"  peak RSS: {r['peak_kb'] / 1024:.0f} MB max over {r['processes']} cluster "
                f"processes (parent {r['parent_kb'] / 1024:.0f} MB)"
                + ("; THE CLUSTER DIED" if r["died"] else "")
            )
            if r["fork_warnings"]:
                print(f"  rawpy's fork/OpenMP warning in the cluster log: "
                      f"{r['fork_warnings']} times (once per worker process)")
            for line in r["incidents"][:5]:
                print(f"  log: {line}")
            r["rate"] = rate
            print(f"  real/ceiling = {r['rate'] / ceiling:.2f}")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"naive/ceiling = {naive / ceiling:.2f}")
    first = results[methods[0]]
    print(f"ingest N={args.n} {args.preview}: real/ceiling = {first['rate'] / ceiling:.2f}")
    return 0
