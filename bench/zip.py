"""The whole-session ZIP of finals, streamed from S3: first byte, exact length, throughput
against a plain read of the same objects, and the memory the streaming costs.

S3 is moto's server in its own process on loopback (bench.stack), so its memory is not ours.
The ZIP view runs in this process, through Django's request handler (the portal's URL, the
client's login), so that the RSS sampled here is the web side's: what a gunicorn worker pays
for one download. The database is a throwaway one (in-memory SQLite unless DATABASE_URL names
another).

    python -m bench zip [--files 200] [--size-mb 10]
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from contextlib import contextmanager

from django.test.utils import override_settings, setup_test_environment

MIB = 1024 * 1024


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench zip")
    parser.add_argument("--files", type=int, default=200, help="finals in the session")
    parser.add_argument("--size-mb", type=float, default=10, help="size of each final (MB)")
    args = parser.parse_args(argv)

    from django.test.runner import DiscoverRunner

    from bench.stack import s3_endpoint

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        with s3_endpoint() as s3, _storages_on(s3):
            return _measure(s3, args.files, int(args.size_mb * 1e6))
    finally:
        runner.teardown_databases(old)


@contextmanager
def _storages_on(s3):
    """The app's storages on the bench's S3 endpoint, built as production builds them."""
    from django.conf import settings

    from booke.settings.base import s3_storages

    aws = {
        "AWS_STORAGE_BUCKET_NAME": s3.bucket,
        "AWS_PRIVATE_BUCKET_NAME": s3.bucket,
        "AWS_S3_ENDPOINT_URL": s3.url,
        "AWS_S3_REGION_NAME": s3.env.get("AWS_S3_REGION_NAME", "eu-west-3"),
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_S3_ACCESS_KEY_ID": s3.env["AWS_ACCESS_KEY_ID"],
        "AWS_S3_SECRET_ACCESS_KEY": s3.env["AWS_SECRET_ACCESS_KEY"],
    }
    with override_settings(**aws):
        with override_settings(STORAGES={**settings.STORAGES, **s3_storages(s3.bucket)}):
            yield


def _delivered_session(s3, files: int, size: int):
    """A delivered session whose finals are `files` objects of `size` random bytes (JPEGs do
    not compress; neither do random bytes) written straight to the bucket."""
    from booker import services
    from booker.models import (
        Delivery,
        FinalPhoto,
        PhotoSession,
        RetouchJob,
        Rush,
        User,
    )
    from booker.storage import originals_storage

    client = User.objects.create_user("zip-bench@example.test", "x")
    session = services.create_session(title="Mariage bench", client=client, quota=files)
    PhotoSession.objects.filter(pk=session.pk).update(status=PhotoSession.Status.DELIVERED)
    Rush.objects.bulk_create(
        Rush(session=session, original=f"x/{i}.CR2", original_filename=f"IMG_{i:04}.CR2",
             sha256=f"{i:064x}", size=size, ingest_status=Rush.Ingest.READY)
        for i in range(files)
    )
    rushes = list(session.rushes.order_by("pk"))
    RetouchJob.objects.bulk_create(
        RetouchJob(session=session, rush=rush, status=RetouchJob.Status.DONE) for rush in rushes
    )
    storage = originals_storage()
    block = os.urandom(size)
    finals = []
    for n, job in enumerate(RetouchJob.objects.filter(session=session).order_by("pk")):
        name = f"sessions/{session.pk}/finals/{n:05}.jpg"
        # One random block, made distinct per object by its first bytes: generating 2 GB of
        # randomness would cost more than the whole benchmark.
        body = n.to_bytes(8, "big") + block[8:]
        s3.client.put_object(Bucket=s3.bucket, Key=storage._normalize_name(name), Body=body)
        finals.append(FinalPhoto(job=job, file=name, original_filename=f"IMG_{n:04}-edit.jpg",
                                 size=size, sha256=f"{n:064x}"))
    FinalPhoto.objects.bulk_create(finals)
    Delivery.objects.create(session=session)
    return session, client, [storage._normalize_name(f.file.name) for f in finals]


class _RssSampler:
    """This process's resident memory, sampled every 5 ms while a download runs."""

    def __init__(self) -> None:
        self.peak = self.baseline = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss())

    def __enter__(self) -> _RssSampler:
        self.baseline = self.peak = _rss()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())


def _rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _plain_read(s3, keys: list[str]) -> tuple[int, float]:
    """The same objects read one after the other, as the ZIP reads them, with nothing else."""
    started = time.perf_counter()
    total = 0
    for key in keys:
        body = s3.client.get_object(Bucket=s3.bucket, Key=key)["Body"]
        for chunk in body.iter_chunks(256 * 1024):
            total += len(chunk)
    return total, time.perf_counter() - started


def _zip_download(http, url: str) -> tuple[int, int, float, float]:
    """(Content-Length, bytes received, seconds to the first byte, seconds in all)."""
    started = time.perf_counter()
    response = http.get(url)
    assert response.status_code == 200, response.status_code
    if os.environ.get("BENCH_ZIP_DEBUG"):
        print(f"  view returned after {(time.perf_counter() - started) * 1000:.1f} ms")
    first = None
    received = 0
    for chunk in response.streaming_content:
        if first is None and chunk:
            first = time.perf_counter() - started
        received += len(chunk)
    return int(response["Content-Length"]), received, first or 0.0, time.perf_counter() - started


def _measure(s3, files: int, size: int) -> int:
    from django.test import Client
    from django.urls import reverse

    print(f"preparing {files} finals of {size / 1e6:.1f} MB in S3 ({s3.url}) …", flush=True)
    session, client_user, keys = _delivered_session(s3, files, size)
    http = Client()
    http.force_login(client_user)
    url = reverse("portal:delivery-zip", args=[session.pk])

    # A running server has its S3 connection (one per thread) and its imports ready: a first
    # small download warms them, as the plain read is warmed.
    _plain_read(s3, keys[:1])
    from booker.storage import iter_chunks, originals_storage

    for _ in iter_chunks(originals_storage(), session.rushes.first().retouch_job.final.file.name):
        pass
    plain_bytes, plain_s = _plain_read(s3, keys)
    with _RssSampler() as rss:
        length, received, first_byte, zip_s = _zip_download(http, url)
    assert received == length, f"Content-Length said {length}, {received} bytes came"
    plain_rate = plain_bytes / plain_s / 1e6
    zip_rate = received / zip_s / 1e6
    ratio = zip_rate / plain_rate
    print(f"ZIP of {files} × {size / 1e6:.1f} MB: {received / 1e6:.0f} MB, "
          f"Content-Length exact ({length} bytes)")
    print(f"first byte after {first_byte * 1000:.1f} ms (goal ≤ 50 ms)")
    print(f"plain read {plain_rate:.0f} MB/s, ZIP {zip_rate:.0f} MB/s")
    print(f"RSS baseline {rss.baseline / MIB:.0f} MiB, peak {rss.peak / MIB:.0f} MiB, "
          f"growth {(rss.peak - rss.baseline) / MIB:.1f} MiB while streaming (goal ≤ 64 MiB)")
    print(f"zip: first byte {first_byte * 1000:.1f} ms, throughput {ratio:.2f} × plain read, "
          f"RSS +{(rss.peak - rss.baseline) / MIB:.1f} MiB")
    return 0
