"""The web process's memory while a big rush is uploaded: with the originals on S3 the bytes
go from the client straight to S3 (presigned parts), so a gunicorn worker should not grow with
the file's size; with local storage they go through the worker in chunks, streamed to disk.

The production topology on loopback (bench.stack): moto's S3 server and gunicorn, each in its
own process, production settings, a throwaway SQLite database (or --database-url). The client
here is the uploader's API as the studio page drives it (start → part URLs → PUT to S3 →
complete; or start → chunks → complete), on a generated file streamed part by part (never
whole in memory). The gunicorn workers' VmRSS is sampled every 100 ms; the workers are warmed
up first with small uploads, so the delta is what the big file costs, not the first import.

    python -m bench upload [--size-mb 2048] [--part-mb 16] [--mode s3|local|both]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

MIB = 1024 * 1024
EMAIL, PASSWORD = "bench-upload@booke.test", "bench-upload-password"
BLOCK = MIB


class Generated:
    """`size` bytes that exist only as a rule: block k is k, the seed, then random bytes common
    to every block. Any range can be produced again, so the sha256 is computed in one pass and
    the parts are made when sent."""

    def __init__(self, size: int, seed: int, part_size: int = 16 * MIB):
        self.size, self.seed, self.part_size = size, seed, part_size
        self.base = random.Random(seed).randbytes(BLOCK)
        self._sha256: str | None = None
        self._parts: list[str] | None = None

    def block(self, k: int) -> bytes:
        return k.to_bytes(8, "big") + self.seed.to_bytes(8, "big") + self.base[16:]

    def read(self, offset: int, length: int) -> bytes:
        end = min(self.size, offset + length)
        out = bytearray()
        k = offset // BLOCK
        while k * BLOCK < end:
            block = self.block(k)
            out += block[max(0, offset - k * BLOCK):end - k * BLOCK]
            k += 1
        return bytes(out)

    def sha256(self) -> str:
        if self._sha256 is None:
            digest = hashlib.sha256()
            for offset in range(0, self.size, 16 * BLOCK):
                digest.update(self.read(offset, 16 * BLOCK))
            self._sha256 = digest.hexdigest()
        return self._sha256

    def part_checksums(self) -> list[str]:
        """The uploader's `part_sha256` (with the server's part size, from the environment
        the bench gives it)."""
        if self._parts is None:
            # booker.uploads.part_checksums_of, without importing Django into the bench
            self._parts = [
                base64.b64encode(hashlib.sha256(self.read(at, self.part_size)).digest()).decode()
                for at in range(0, self.size, self.part_size)
            ]
        return self._parts


@dataclass
class Sampler:
    """VmRSS of the given processes every `every` seconds, on a thread, until stopped."""

    pids: list[int]
    every: float = 0.1
    samples: dict[int, list[tuple[float, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from bench.stack import rss_kib

        self._rss = rss_kib
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            for pid in self.pids:
                self.samples.setdefault(pid, []).append((time.monotonic(), self._rss(pid)))
            self._stop.wait(self.every)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def upload(http, base_url: str, session_id: int, data: Generated, *, parallel: int = 4,
           marks: list | None = None) -> dict:
    """One file through the uploader's API; the answer of `complete`, with the part count.
    `marks` gets (step, time) as each step ends, to tell which one the memory goes with."""
    import requests

    def mark(step: str) -> None:
        if marks is not None:
            marks.append((step, time.monotonic()))

    base = f"{base_url}/admin/booker/photosession/{session_id}/studio/uploads/"

    def call(method: str, url: str, **kwargs):
        headers = {"X-CSRFToken": http.cookies.get("csrftoken", ""), "Referer": base}
        answer = http.request(method, url, headers=headers, timeout=600, **kwargs)
        return answer

    started = call("POST", base, json={"filename": f"BENCH_{data.seed}.CR2", "size": data.size,
                                       "sha256": data.sha256(),
                                       "part_sha256": data.part_checksums()})
    opened = started.json()
    if opened.get("status") != "uploading":
        raise RuntimeError(f"start refused: {started.status_code} {opened}")
    mark("start")
    upload_id, part_size = opened["upload"], opened["part_size"]
    count = max(1, -(-data.size // part_size))
    if opened["mode"] == "s3":
        numbers = list(range(1, count + 1))
        urls: dict[str, str] = {}
        for i in range(0, count, 100):  # the API signs 100 at a time
            answer = call("POST", f"{base}{upload_id}/parts/", json={"numbers": numbers[i:i + 100]})
            answer.raise_for_status()
            urls.update(answer.json()["urls"])
        mark("part URLs")

        def put(number: int) -> None:
            body = data.read((number - 1) * part_size, part_size)
            # Straight to S3, as the browser does: the signature is the only credential.
            checksum = data.part_checksums()[number - 1]
            requests.put(urls[str(number)], data=body, timeout=600,
                         headers={"x-amz-checksum-sha256": checksum}).raise_for_status()

        with ThreadPoolExecutor(parallel) as pool:
            list(pool.map(put, numbers))
        mark("parts to S3")
    else:
        received = opened["received"]
        while received < data.size:
            answer = call("PUT", f"{base}{upload_id}/chunk/?offset={received}",
                          data=data.read(received, part_size))
            if answer.status_code not in (200, 409):
                answer.raise_for_status()
            received = answer.json()["received"]
        mark("chunks")
    done = call("POST", f"{base}{upload_id}/complete/", json={})
    mark("complete")
    result = done.json()
    if done.status_code != 201:
        raise RuntimeError(f"complete refused: {done.status_code} {result}")
    return {**result, "mode": opened["mode"], "parts": count, "part_size": part_size}


def _prepare(env: dict[str, str], modes: list[str]) -> dict[str, int]:
    """Migrate, then a photographer and one booked session per mode; their ids."""
    from bench import stack

    stack.migrate(env, "-v0")
    code = (
        "from booker import roles, services\n"
        f"u, _ = services.ensure_user({EMAIL!r}, password={PASSWORD!r}, first_name='Bench')\n"
        "services.assign_role(u, roles.PHOTOGRAPHER)\n"
        # Staff give a code after the password: an app with the demo's key (stack.login).
        "from base64 import b32decode\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from booker.demo import DEMO_TOTP_SECRET\n"
        "TOTPDevice.objects.get_or_create(user=u, name='bench', defaults={\n"
        "    'key': b32decode(DEMO_TOTP_SECRET).hex(), 'confirmed': True})\n"
        "c, _ = services.ensure_user('bench-upload-client@booke.test')\n"
        f"for mode in {modes!r}:\n"
        "    s = services.create_session(title='bench upload ' + mode, client=c, photographer=u)\n"
        "    print('bench-session', mode, s.pk)\n"
    )
    lines = stack.manage(env, "shell", "-c", code).stdout.splitlines()
    found = [line.split() for line in lines if line.startswith("bench-session ")]
    return {mode: int(pk) for _, mode, pk in found}


def _measure(site, mode: str, session_id: int, size: int, seed: int, workers: int,
             part_size: int) -> dict:
    import requests

    from bench import stack

    http = requests.Session()
    stack.login(http, site.url, EMAIL, PASSWORD)
    # Warm-up: every worker serves a few small uploads first (imports, connections, caches).
    for i in range(3 * workers):
        upload(http, site.url, session_id, Generated(2 * MIB, seed * 1000 + i + 1, part_size))
    pids = site.worker_pids()
    time.sleep(0.5)
    before = {pid: stack.rss_kib(pid) for pid in pids}
    data = Generated(size, seed, part_size)
    data.sha256()
    data.part_checksums()  # the client's work, before the clock and the sampling start
    marks: list = []
    started = time.perf_counter()
    with Sampler(pids) as sampler:
        result = upload(http, site.url, session_id, data, marks=marks)
        seconds = time.perf_counter() - started
        time.sleep(1.0)
    after = {pid: stack.rss_kib(pid) for pid in pids}
    peak = {pid: max((kib for _, kib in sampler.samples.get(pid, [])), default=0)
            for pid in pids}
    # The worker that grew most is the one that matters (gunicorn picks who serves what).
    worst = max(pids, key=lambda pid: peak[pid] - before[pid])

    def at(moment: float) -> float:
        seen = [kib for t, kib in sampler.samples.get(worst, []) if t <= moment]
        return (seen[-1] if seen else before[worst]) / 1024

    steps = "  ".join(f"{step} {at(moment):.1f}" for step, moment in marks)
    return {
        "mode": mode, "parts": result["parts"], "part_size": result["part_size"],
        "seconds": seconds, "mb_s": size / 1e6 / seconds,
        "before": before[worst] / 1024, "peak": peak[worst] / 1024, "after": after[worst] / 1024,
        "delta": (peak[worst] - before[worst]) / 1024,
        "samples": sum(len(v) for v in sampler.samples.values()),
        "steps": steps,
    }


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench upload")
    parser.add_argument("--size-mb", type=float, default=2048, help="size of the file (MiB)")
    parser.add_argument("--part-mb", type=int, default=16, help="part size (MiB, S3 min 5)")
    parser.add_argument("--mode", choices=["s3", "local", "both"], default="both")
    # One worker: every warm-up request reaches it, so its delta is the file's cost, not a
    # first import (with 2, the one the warm-up missed pays its imports during the upload).
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers")
    parser.add_argument("--database-url", default="",
                        help="the app's database (default: a throwaway SQLite file)")
    args = parser.parse_args(argv)

    from bench import stack

    size = int(args.size_mb * MIB)
    modes = ["s3", "local"] if args.mode == "both" else [args.mode]
    state = stack.state_dir()
    env = {
        "DATABASE_URL": args.database_url or f"sqlite:///{state / 'bench-upload.sqlite3'}",
        "BOOKER_UPLOAD_PART_SIZE": str(args.part_mb * MIB),
        "PRIVATE_MEDIA_ROOT": str(state / "private"),
        "MEDIA_ROOT": str(state / "media"),
    }
    print(f"bench upload: {args.size_mb:g} MiB file, {args.part_mb} MiB parts, gunicorn × "
          f"{args.workers} (production settings), S3 = moto server (own process)", flush=True)
    sessions = _prepare(env, modes)
    rows = []
    for seed, mode in enumerate(modes, start=1):
        if mode == "s3":
            with stack.s3_endpoint() as s3, stack.web({**env, **s3.env}, args.workers) as site:
                rows.append(_measure(site, mode, sessions[mode], size, seed, args.workers,
                                     args.part_mb * MIB))
        else:
            with stack.web(env, args.workers) as site:
                rows.append(_measure(site, mode, sessions[mode], size, seed, args.workers,
                                     args.part_mb * MIB))
        r = rows[-1]
        print(f"  {r['mode']:<5}  {r['parts']:>5} parts of {r['part_size'] // MIB} MiB  "
              f"{r['seconds']:7.1f} s  {r['mb_s']:6.1f} MB/s   web worker RSS "
              f"before {r['before']:6.1f} MB  peak {r['peak']:6.1f} MB  after {r['after']:6.1f} MB"
              f"  delta {r['delta']:+6.1f} MB  ({r['samples']} samples)", flush=True)
        print(f"         that worker's RSS (MB) after each step: {r['steps']}", flush=True)
    headline = rows[0]
    print(f"web RSS delta: {headline['delta']:.1f} MB for a {args.size_mb:g} MB upload "
          f"({headline['mode']} path, goal < 20 MB)")
    return 0
