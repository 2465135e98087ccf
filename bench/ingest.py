"""RAWs per minute through the real ingest pipeline, against what the libraries alone allow.

    python -m bench ingest N [--preview full|sony|none] [--storage s3|local]
                             [--broker redis|orm] [--width W --height H] [--naive K]

1. N synthetic DNGs (`bench.dng.write_dng`, seeds 1..N, 6000×4000 unless told), cached under
   var/bench/ingest/.
2. Ceiling: `booker.ingest.render` (the task's own library work: decode, fit, watermark,
   proof and thumbnail JPEGs, EXIF) over the N files from the local disk, in a Pool of 2
   processes, start-up excluded.
3. Naive: LibRaw's full-size `postprocess()` + resize to the proof size, Pool of 2, K files:
   what the embedded-preview / half-size path saves.
4. Real, as deployed: S3 (moto's server in a subprocess, bench.stack), the Redis broker, the
   project's own commands in subprocesses against a throwaway database (SQLite file, or
   DATABASE_URL): `migrate`; the N files stored in S3 as rushes (not queued); `qcluster` with
   2 workers, started and left idle; then the N tasks queued at once. Timed from the queuing
   and from the first task's start (django-q's own records) to the last task's end; each
   worker's peak RSS (VmHWM) and PSS (smaps_rollup, sampled), idle and during the run. Checks
   that every rush is ready with one proof and one thumbnail in the bucket.

Headline (last line): end-to-end RAWs/min from the queuing over the ceiling's. The cluster is
already running when the tasks arrive, as in production, so its start-up is not counted; the
S3 download and upload, the claim and the broker are."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench" / "ingest"
REDIS_URL = "redis://127.0.0.1:6379/15"
CLIENT = "bench-ingest@booke.test"
TIMEOUT = 900  # seconds for one cluster run


# --- 1. Files -------------------------------------------------------------------------------


def camera_files(n: int, preview: str, width: int = 6000, height: int = 4000) -> list[Path]:
    from bench.dng import write_dng

    folder = CACHE / preview
    if (width, height) != (6000, 4000):
        folder = CACHE / f"{preview}-{width}x{height}"
    files = []
    for seed in range(1, n + 1):
        path = folder / f"IMG_{seed:04d}.DNG"
        if not path.exists():
            started = time.perf_counter()
            tmp = path.with_suffix(".tmp")
            write_dng(tmp, width, height, preview=preview, seed=seed)
            tmp.rename(path)
            print(f"  wrote {path.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")
        files.append(path)
    return files


# --- 2 and 3. The libraries alone -----------------------------------------------------------


def _ceiling_one(path: str) -> float:
    """CPU seconds of one render."""
    from booker.intake.ingest import render

    started = time.process_time()
    render(Path(path))
    return time.process_time() - started


def _naive_one(path: str) -> int:
    import rawpy
    from PIL import Image

    from booker import services

    with rawpy.imread(path) as raw:
        rgb = raw.postprocess(use_camera_wb=True, output_bps=8)
    img = Image.fromarray(rgb)
    del rgb
    img.thumbnail((services.PROOF_EDGE, services.PROOF_EDGE), Image.Resampling.LANCZOS)
    return 1


def _setup() -> None:
    import django

    django.setup()
    import booker.intake.ingest  # noqa: F401 -- imports out of the timing


def pooled(func, files: list[Path]) -> tuple[float, list]:
    """Seconds for a Pool of 2 to do `func` over `files` (pool start-up excluded), and what
    `func` returned. Spawned, not forked: rawpy's LibRaw is built with OpenMP, which a fork
    child must not inherit."""
    with multiprocessing.get_context("spawn").Pool(2, initializer=_setup) as pool:
        pool.map(int, [0, 0])  # both workers up
        started = time.perf_counter()
        results = pool.map(func, [str(p) for p in files], chunksize=1)
        return time.perf_counter() - started, results


# --- 4. The real pipeline -------------------------------------------------------------------


def _proc(pid: int) -> dict[str, int] | None:
    """VmRSS, VmHWM and Pss of a process, in KiB."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    out[line[:5]] = int(line.split()[1])
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    out["Pss"] = int(line.split()[1])
    except OSError:
        return None
    return out if len(out) == 3 else None


@contextmanager
def s3_or_not(storage: str):
    if storage == "local":
        yield None
        return
    from bench.stack import s3_endpoint

    with s3_endpoint("booke-bench") as s3:
        yield s3


def _tree(root: int, depth: int = 99) -> list[int] | None:
    """The process and its descendants (to `depth`), parents first, from
    /proc/<pid>/task/<tid>/children: cheap, where walking all of /proc takes ~0.2 s of CPU on
    a busy machine (taken from the workers)."""
    found, todo = [], [(root, 0)]
    while todo:
        pid, level = todo.pop(0)
        found.append(pid)
        if level >= depth:
            continue
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    todo.extend((int(child), level + 1) for child in fh.read().split())
        except FileNotFoundError:
            if pid == root:
                return None
        except OSError:
            continue
    return found


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Site:
    """A throwaway database and folders; the app's environment for bench.stack's processes
    (production settings)."""

    def __init__(self, tmp: Path, broker: str, s3):
        self.tmp = tmp
        self.external = "DATABASE_URL" in os.environ
        self.db = tmp / "ingest.sqlite3"
        self.s3 = s3
        self.env = {
            "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{self.db}"),
            "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
            "MEDIA_ROOT": str(tmp / "media"),
            **(s3.env if s3 is not None else {}),
        }
        if broker == "redis":
            self.env["REDIS_URL"] = REDIS_URL

    def shell(self, code: str) -> dict:
        """Run `code` in `manage.py shell`; it prints one JSON line last."""
        from bench.stack import manage

        out = manage(self.env, "shell", "-c", code).stdout
        return json.loads(out.strip().splitlines()[-1])

    def query(self, sql: str, *params) -> list[tuple]:
        if self.external:
            from django.db import connections

            with connections["default"].cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), params)
                return cursor.fetchall()
        with sqlite3.connect(self.db, timeout=20) as conn:
            return conn.execute(sql, params).fetchall()


STORE = """
import json
from pathlib import Path
from booker import services
client, _ = services.ensure_user({client!r})
session = services.create_session(title="bench ingest", client=client)
for path in {paths!r}:
    with open(path, "rb") as fh:
        services.add_rush(session, fh, Path(path).name, enqueue=False)
print(json.dumps({{"session": session.pk}}))
"""

QUEUE = """
import json, time
from booker.models import Rush
from booker.services import enqueue_ingest
rushes = list(Rush.objects.filter(session_id={session}))
started = time.time()
for rush in rushes:
    enqueue_ingest(rush)
print(json.dumps({{"queued_at": started, "queued_in": time.time() - started}}))
"""

SPAN = """
import json
from django.db.models import Max, Min
from django_q.models import Task
from booker.models import Rush
ids = Rush.objects.filter(session_id={session}).values_list("pk", flat=True)
names = [f"ingest-rush-{{pk}}" for pk in ids]
span = Task.objects.filter(name__in=names).aggregate(first=Min("started"), last=Max("stopped"))
print(json.dumps({{k: v.timestamp() for k, v in span.items()}}))
"""


def real(site: Site, files: list[Path]) -> dict:
    from bench.stack import descendants, flush_redis, migrate, qcluster

    started = time.perf_counter()
    migrate(site.env)  # from the kept migrated template: the full migrate is not what we time
    session = site.shell(STORE.format(client=CLIENT, paths=[str(p) for p in files]))["session"]
    stored_s = time.perf_counter() - started
    if "REDIS_URL" in site.env:
        flush_redis(REDIS_URL)

    mem: dict[int, dict[str, int]] = {}
    worker_pids: set[int] = set()
    n = len(files)
    with qcluster(site.env, workers=2) as cluster:

        pids: list[int] = []
        listed = [0.0]

        def sample() -> None:
            # Listing processes walks all of /proc: every 2 s is enough (workers are only
            # replaced when one dies or is recycled). VmHWM is exact whenever it is read;
            # PSS is as of the last sample.
            if time.monotonic() - listed[0] > 2:
                tree = _tree(cluster.pid)
                if tree is None:  # no /proc/<pid>/task/<tid>/children: walk all of /proc
                    worker_pids.update(cluster.worker_pids())
                    tree = [cluster.pid, *descendants(cluster.pid)]
                else:
                    # The Sentinel's children but its monitor and pusher (bench.stack).
                    sentinel = _tree(tree[1], depth=1) if len(tree) > 1 else []
                    worker_pids.update(p for p in sentinel[1:] if p not in cluster._auxiliaries)
                pids[:] = tree
                listed[0] = time.monotonic()
            for pid in pids:
                now = _proc(pid)
                if now is None:
                    continue
                seen = mem.setdefault(pid, {"idle_rss": now["VmRSS"], "idle_pss": now["Pss"],
                                            "hwm": 0, "pss": 0})
                seen["hwm"] = max(seen["hwm"], now["VmHWM"])
                seen["pss"] = max(seen["pss"], now["Pss"])

        # Started and idle, as a production cluster is when a batch arrives.
        time.sleep(3)
        sample()
        s3_cpu = _cpu_s(site.s3.pid) if site.s3 is not None else 0.0
        worker_cpu = {pid: _cpu_s(pid) for pid in cluster.worker_pids()}
        queued = site.shell(QUEUE.format(session=session))
        own_cpu = time.process_time()
        deadline = time.monotonic() + TIMEOUT
        while True:
            sample()
            # This session's tasks only: a DATABASE_URL kept between runs holds earlier ones.
            done = site.query(
                "select count(*) from django_q_task where name in"
                " (select 'ingest-rush-' || id from booker_rush where session_id = ?)", session
            )[0][0]
            if done >= n:
                break
            if _proc(cluster.pid) is None:
                raise RuntimeError(f"the cluster died, see {cluster.log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"cluster not done after {TIMEOUT} s, see {cluster.log}")
            time.sleep(0.5)
        sample()
        own_cpu = time.process_time() - own_cpu
        # Idle again: what a worker keeps from one task to the next (its peak minus this is
        # one task's own footprint).
        time.sleep(1)
        for pid, seen in mem.items():
            after = _proc(pid)
            if after is not None:
                seen["after_pss"] = after["Pss"]
        s3_cpu = (_cpu_s(site.s3.pid) if site.s3 is not None else 0.0) - s3_cpu
        worker_cpu = sum(_cpu_s(pid) - cpu for pid, cpu in worker_cpu.items())
        log_text = cluster.log.read_text(errors="replace") if cluster.log else ""
        parent = cluster.pid

    span = site.shell(SPAN.format(session=session))
    rows = site.query(
        "select ingest_status, failure_reason from booker_rush where session_id = ?", session
    )
    proof_objects = len(site.s3.keys("proofs/")) if site.s3 is not None else None
    return {
        "stored_s": stored_s,
        "queued_at": queued["queued_at"],
        "first_start": span["first"],
        "last_stop": span["last"],
        "ready": sum(s == "ready" for s, _ in rows),
        "failures": sorted({r for s, r in rows if s == "failed"}),
        "proof_objects": proof_objects,
        "s3_cpu": s3_cpu,
        "worker_cpu": worker_cpu,
        "own_cpu": own_cpu,
        "workers": {pid: m for pid, m in mem.items() if pid in worker_pids},
        "others": {pid: m for pid, m in mem.items() if pid not in worker_pids and pid != parent},
        "parent": mem.get(parent, {}),
        "incidents": [line.strip() for line in log_text.splitlines()
                      if any(w in line.lower() for w in ("traceback", "error", "réintégr",
                                                         "reincarnated"))],
    }


# --- The command ----------------------------------------------------------------------------


def per_minute(count: int, seconds: float) -> float:
    return count / seconds * 60 if seconds else 0.0


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def run(argv: list[str]) -> int:
    from django.conf import settings

    parser = argparse.ArgumentParser(prog="python -m bench ingest")
    parser.add_argument("n", type=int, help="how many DNGs")
    parser.add_argument("--preview", choices=("full", "sony", "none"), default="full")
    parser.add_argument("--storage", choices=("s3", "local"), default="s3")
    parser.add_argument("--broker", choices=("redis", "orm"), default="redis")
    parser.add_argument("--width", type=int, default=6000)
    parser.add_argument("--height", type=int, default=4000)
    parser.add_argument("--naive", type=int, default=4, help="files for the naive figure")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway folder")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")

    print(f"ingest: {args.n} × {args.width}×{args.height} DNG, preview {args.preview}, "
          f"storage {args.storage}, broker {args.broker}, 2 workers, "
          f"watermark {settings.STUDIO_WATERMARK!r}")
    files = camera_files(args.n, args.preview, args.width, args.height)

    ceiling_s, cpu = pooled(_ceiling_one, files)
    ceiling = per_minute(len(files), ceiling_s)
    ceiling_cpu = sum(cpu) / len(files)
    print(f"ceiling (booker.ingest.render from local files, Pool 2, {len(files)} files): "
          f"{ceiling_s:.1f} s, {ceiling:.1f} RAWs/min; {ceiling_cpu:.2f} CPU s per RAW")

    naive = None
    if args.naive:
        naive_files = files[: args.naive]
        naive_s, _ = pooled(_naive_one, naive_files)
        naive = per_minute(len(naive_files), naive_s)
        print(f"naive (LibRaw full postprocess + resize, Pool 2, {len(naive_files)} files): "
              f"{naive_s:.1f} s, {naive:.1f} RAWs/min")

    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="run-", dir=CACHE))
    try:
        with s3_or_not(args.storage) as s3:
            site = Site(tmp, args.broker, s3)
            r = real(site, files)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    n = args.n
    from_queue = per_minute(n, r["last_stop"] - r["queued_at"])
    from_start = per_minute(n, r["last_stop"] - r["first_start"])
    print(f"throwaway site ({'DATABASE_URL' if 'DATABASE_URL' in os.environ else 'SQLite'}, "
          f"production settings): migrated and {n} originals stored ({args.storage}, not "
          f"queued) in {r['stored_s']:.1f} s")
    print(
        f"real ({args.storage}, {args.broker}, 2 workers, cluster already running): "
        f"{r['last_stop'] - r['queued_at']:.1f} s from queuing to the last task's end "
        f"(first task started {r['first_start'] - r['queued_at']:.2f} s after queuing): "
        f"{from_queue:.1f} RAWs/min from queuing, {from_start:.1f} from the first start; "
        f"{r['ready']} ready, {n - r['ready']} not"
        + (f" ({'; '.join(r['failures'])})" if r["failures"] else "")
    )
    print(f"  CPU during the run: workers {r['worker_cpu']:.1f} s "
          f"({r['worker_cpu'] / n:.2f} per RAW, ceiling {ceiling_cpu:.2f}), "
          f"this benchmark's polling {r['own_cpu']:.1f} s"
          + (f", S3 server (moto, on the same 2 cores) {r['s3_cpu']:.1f} s"
             if args.storage == "s3" else ""))
    if r["proof_objects"] is not None:
        print(f"  objects under proofs/ in the bucket: {r['proof_objects']} "
              f"(expected {2 * r['ready']})")
    for pid, m in sorted(r["workers"].items()):
        print(f"  worker {pid}: idle RSS {mib(m['idle_rss'])} PSS {mib(m['idle_pss'])}; "
              f"peak RSS (VmHWM) {mib(m['hwm'])}, peak PSS (sampled) {mib(m['pss'])}; "
              f"idle after the run PSS {mib(m.get('after_pss', 0))}")
    others = r["others"]
    if others:
        print(f"  qcluster parent: peak RSS {mib(r['parent'].get('hwm', 0))}; "
              f"{len(others)} other processes (sentinel, monitor, pusher): peak RSS "
              f"{mib(max(m['hwm'] for m in others.values()))}, PSS "
              f"{mib(max(m['pss'] for m in others.values()))}")
    for line in r["incidents"][:5]:
        print(f"  log: {line}")
    if naive is not None:
        print(f"naive/ceiling = {naive / ceiling:.2f}")
    peak_hwm = max((m["hwm"] for m in r["workers"].values()), default=0)
    peak_pss = max((m["pss"] for m in r["workers"].values()), default=0)
    print(f"peak per worker: RSS {mib(peak_hwm)}, PSS {mib(peak_pss)}")
    print(f"real/ceiling from the first task's start = {from_start / ceiling:.2f}")
    print(f"ingest N={n} {args.preview} ({args.storage}, {args.broker}): "
          f"real/ceiling = {from_queue / ceiling:.2f} (from queuing)")
    return 0
