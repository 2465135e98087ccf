"""A rush becomes a proof and a thumbnail, in the task queue's workers.

What holds when a worker dies (kill -9, out of memory, a machine restarted):

- A worker *claims* a rush before working on it: a conditional UPDATE that only one worker
  can win, which records the attempt number and the claim's time (the lease's start).
- The lease (`BOOKER_INGEST_LEASE_SECONDS`) outlives the task's own timeout
  (`BOOKER_INGEST_TIMEOUT_SECONDS`): a rush whose lease ran out has no live worker any more,
  because django-q kills a task at its timeout. `requeue_stalled_rushes`, run every minute by
  the cluster's scheduler, puts such rushes back in the queue (and pending rushes whose task
  was lost: the Redis broker forgets a task popped by a killed worker).
- The final write of the row is conditional on still holding the claim: a worker that comes
  back late after its lease was taken over writes nothing.
- Proof keys are fixed per rush and the proofs storage overwrites: a second attempt replaces
  the first one's files, never adds a second proof.
- A file that kills its worker every time (`BOOKER_INGEST_MAX_ATTEMPTS`) fails alone with its
  reason, instead of coming back for ever.

Memory: the original is never held in Python. On the local disk it is decoded where it lies. On
S3, a RAW with an embedded preview large enough is read in two ranged GETs (its TIFF header,
its JPEG preview: booker/tiffpreview.py) when its bytes were checked at upload; otherwise it is
streamed to an unlinked temporary file (nothing left behind, even after a kill -9), its sha256
checked on the way when the upload did not check it."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import hashlib
import logging
import os
import pickle  # noqa: S403 -- between the worker and the child it forked, nothing else
import resource
import select
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext, gettext_noop
from django_q.exceptions import TimeoutException

from booker import schedules
from booker.events import Event
from booker.intake.machine import RUSH_INGEST
from booker.models import Rush
from booker.reconnect import through_restart
from booker.sessions.services import record_event
from booker.storage import is_unavailable, iter_chunks, read_range

from . import imaging, sitters, tiffpreview

log = logging.getLogger(__name__)

Ingest = Rush.Ingest

STREAM_CHUNK = 1024 * 1024

# Shown to the photographer as the rush's failure reason, in French once stored (gettext at
# the time of failure: the reason is kept as text).
CHECKSUM_MISMATCH = gettext_noop(
    "file damaged during upload: checksum does not match, upload it again"
)
MISSING = gettext_noop("original file is missing from storage")
ARCHIVED = gettext_noop("the original is in the archive: restore the session's originals first")
TIMED_OUT = gettext_noop(
    "decoding took longer than the %(seconds)d s time limit: the file is probably damaged"
)
GIVE_UP = gettext_noop(
    "the worker stopped %(attempts)d times while reading this file (past the %(seconds)d s "
    "time limit, or out of memory: too large or damaged?): check it and retry"
)
UNEXPECTED = gettext_noop("unexpected error while decoding: the file is probably damaged")
# Not a failure: the rush stays pending with this reason, and the minute's sweep queues it again
# once a lease has passed (`requeue_stalled_rushes`), until the storage answers.
STORAGE_WAIT = gettext_noop(
    "the file storage was not answering: the proof will be made automatically once it is back"
)


PROOF_EDGE = 2048


THUMB_EDGE = 400


def enqueue_ingest(rush: Rush) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "booker.tasks.ingest_rush", rush.pk, task_name=f"ingest-rush-{rush.pk}",
            group=f"session-{rush.session_id}",
            # Shorter than the claim's lease (booker.ingest): a rush whose lease ran out has
            # no live worker left.
            timeout=settings.BOOKER_INGEST_TIMEOUT_SECONDS,
        )
    )


class ChecksumMismatch(Exception):
    pass


def lease() -> timedelta:
    return timedelta(seconds=settings.BOOKER_INGEST_LEASE_SECONDS)


@dataclass(frozen=True)
class Claim:
    """This worker's hold on a rush: the row is written back only while it still matches."""

    rush_id: int
    attempt: int
    started_at: datetime


def claim(rush_id: int) -> Claim | None:
    """Take the rush for this worker, or None when another worker has it (or it is done).

    Pending and failed rushes can be taken, and a `processing` one whose lease ran out (its
    worker died). A compare-and-set on (status, attempts): exactly one worker wins."""
    row = (
        Rush.objects.filter(pk=rush_id)
        .values("ingest_status", "attempts", "processing_started_at")
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    status, attempts = row["ingest_status"], row["attempts"]
    if status == Ingest.PROCESSING:
        started = row["processing_started_at"]
        if started is not None and started > now - lease():
            return None  # a live worker has it
        if attempts >= settings.BOOKER_INGEST_MAX_ATTEMPTS:
            _give_up(rush_id, attempts)
            return None
    elif status not in (Ingest.PENDING, Ingest.FAILED):
        return None
    won = RUSH_INGEST.move_rows(
        Rush.objects.filter(pk=rush_id, attempts=attempts), status, Ingest.PROCESSING,
        processing_started_at=now, attempts=attempts + 1, failure_reason="",
    )
    return Claim(rush_id, attempts + 1, now) if won else None


def _held(c: Claim):
    return Rush.objects.filter(
        pk=c.rush_id, ingest_status=Ingest.PROCESSING, attempts=c.attempt,
        processing_started_at=c.started_at,
    )


def ingest_rush(rush_id: int) -> Rush | None:
    """Make the proof (2048 px, watermarked) and the thumbnail (400 px) of one rush; None when
    there was nothing to do (taken by another worker, already done).

    A file that cannot be read fails alone, with its reason; it never raises, so the worker
    and the rest of the batch carry on."""
    c = claim(rush_id)
    if c is None:
        return None
    try:
        return process(c)
    finally:
        release_memory()


def process(c: Claim) -> Rush | None:
    """The work of a claimed rush. None when the claim was lost meanwhile (nothing written)."""
    rush = Rush.objects.select_related("session").get(pk=c.rush_id)
    try:
        r = render_rush(rush)
    except imaging.UnreadableImage as exc:
        return _fail(c, rush, str(exc))
    except ChecksumMismatch:
        return _fail(c, rush, gettext(CHECKSUM_MISMATCH))
    except FileNotFoundError:
        if rush.original_tier == Rush.Tier.ARCHIVE:
            return _fail(c, rush, gettext(ARCHIVED))
        return _fail(c, rush, gettext(MISSING))
    except TimeoutException:
        return _fail(c, rush, gettext(TIMED_OUT) % {
            "seconds": settings.BOOKER_INGEST_TIMEOUT_SECONDS})
    except DecoderDied:
        return _decoder_died(c, rush)
    except Exception as exc:  # noqa: BLE001 -- one bad file must not stop the batch
        if is_unavailable(exc):
            return _wait_for_storage(c, rush, exc)
        log.exception("ingest of rush %s failed", rush.pk)
        # The exception's name is for the log above; the photographer reads French.
        return _fail(c, rush, gettext(UNEXPECTED))

    base = f"sessions/{rush.session_id}/proofs/{rush.pk}"
    names = {}
    try:
        for field_name, suffix, data in (("proof", "", r.proof_jpeg),
                                         ("thumbnail", "-thumb", r.thumbnail_jpeg)):
            storage = getattr(rush, field_name).storage
            # The proofs storage overwrites: a retry (or a worker that lost its lease and
            # carries on) writes the same key, so there is never a second proof for a rush.
            names[field_name] = storage.save(f"{base}{suffix}.jpg", ContentFile(data))
    except Exception as exc:
        if is_unavailable(exc):
            return _wait_for_storage(c, rush, exc)
        raise
    captured_at = r.captured_at
    if captured_at is not None and timezone.is_naive(captured_at):
        captured_at = timezone.make_aware(captured_at)

    @transaction.atomic
    def write_ready() -> bool:
        written = RUSH_INGEST.move_rows(
            _held(c), Ingest.PROCESSING, Ingest.READY,
            proof=names["proof"], thumbnail=names["thumbnail"], width=r.size[0],
            height=r.size[1], captured_at=captured_at, camera=r.camera, failure_reason="",
        )
        if written:
            rush.refresh_from_db()
            # On a headshot day, the member whose slot holds the capture time sits in it.
            sitters.attribute_new_rush(rush)
        return bool(written)

    # The proof is made: a database restart meanwhile must not cost it (booker/reconnect.py).
    if not through_restart(write_ready):
        if _written_by(c):
            # Written, and the connection lost before its answer came back.
            rush.refresh_from_db()
            return rush
        log.warning("rush %s: lease lost during attempt %s, result dropped", rush.pk, c.attempt)
        return None
    return rush


def _written_by(c: Claim) -> bool:
    """Whether the rush is ready from this very claim (its attempt and time are kept), not
    from a worker that took it over after the lease."""
    return Rush.objects.filter(pk=c.rush_id, ingest_status=Ingest.READY, attempts=c.attempt,
                               processing_started_at=c.started_at).exists()


@dataclass(frozen=True)
class Rendered:
    proof_jpeg: bytes
    thumbnail_jpeg: bytes
    size: tuple[int, int]  # the proof's
    captured_at: datetime | None
    camera: str


def render(path: Path) -> Rendered:
    """The library work of one rush, from a file on this machine (`bench ingest` measures
    its ceiling with this very function)."""
    with open(path, "rb") as fh:
        fd = fh.fileno()
        blocks = tiffpreview.Blocks(lambda at, n: os.pread(fd, n, at), os.fstat(fd).st_size)
        return _render(blocks, lambda: nullcontext(path))


def render_rush(rush: Rush) -> Rendered:
    """`render` of the rush's original, wherever it is stored.

    On S3, a RAW whose bytes were checked at upload gives its embedded preview for two
    ranged GETs (the TIFF header, the JPEG): the rest of the file is never fetched. Without
    a usable preview, or when the upload was not checked (the whole file must be read to
    hash it anyway), it is streamed to a temporary file as `local_original` does."""
    storage = _unwrapped(rush.original.storage)
    if isinstance(storage, FileSystemStorage) or not rush.checked_at_upload:
        with local_original(rush) as path:
            return render(path)
    name = rush.original.name
    blocks = tiffpreview.Blocks(lambda at, n: _read_range(storage, name, at, n), rush.size,
                                first_read=tiffpreview.HEAD_READ)
    # Without a usable preview the whole file is needed: it goes on from the bytes the
    # preview search already fetched instead of fetching them again.
    return _render(blocks, lambda: local_original(rush, head=blocks))


def _read_range(storage: Storage, name: str, offset: int, length: int) -> bytes:
    try:
        return read_range(storage, name, offset, length)
    except Exception as exc:
        if _is_missing(exc):
            raise FileNotFoundError(name) from exc
        raise


def _render(blocks: tiffpreview.Blocks, whole) -> Rendered:
    """From the embedded preview if the TIFF structure gives one (metadata from the same
    few blocks), else from the whole file, which `whole()` provides as a path."""
    picture = imaging.tiff_preview(blocks, PROOF_EDGE)
    if picture is not None:
        captured_at, camera = imaging.read_metadata(blocks.file())
        blocks.forget()  # the head read (4 MiB on S3) is not needed past the metadata
    else:
        with whole() as path:
            # The download's freed buffers go back to the system before the decode makes
            # the task's largest allocations (LibRaw's sensor data: 48 MiB at 24 MP).
            release_memory()
            picture, captured_at, camera = decode_apart(path)
    proof = imaging.fit(picture, PROOF_EDGE)
    del picture  # the decoded frame is the largest buffer; what follows is proof-sized
    thumb = imaging.fit(proof, THUMB_EDGE)
    proof = imaging.watermark(proof, settings.STUDIO_WATERMARK)
    return Rendered(imaging.to_jpeg(proof), imaging.to_jpeg(thumb), proof.size, captured_at,
                    camera)


# --- LibRaw in a process of its own -----------------------------------------------------------
# The task's time limit is an alarm (SIGALRM) whose handler Python runs between two bytecodes
# of the main thread: a decoder spinning inside C code never gives it the hand, and only the
# cluster's guard stopped it, by killing the whole worker at the limit; the rush then waited
# for its lease to run out and the minute's sweep (5 minutes and more) and came back until its
# attempts were spent. LibRaw (RAWs, and the TIFFs it is offered first) therefore runs in a
# forked child that the worker waits for in Python, where the alarm does reach it, and kills
# at the limit: the rush fails at once with the time limit's reason and the worker goes on.
# Plain pictures (JPEG, PNG…) stay in the worker: Pillow decodes them a block at a time and
# the alarm interrupts it between blocks.


class DecoderDied(Exception):
    """The decoding child ended without an answer (killed: out of memory, a crash in C)."""


def decode(path: Path) -> tuple[imaging.Image.Image, datetime | None, str]:
    """The picture (its long edge PROOF_EDGE at most) and the metadata of a local file."""
    picture = imaging.fit(imaging.open_picture(path, PROOF_EDGE), PROOF_EDGE)
    captured_at, camera = imaging.read_metadata(path)
    return picture, captured_at, camera


def decode_apart(path: Path) -> tuple[imaging.Image.Image, datetime | None, str]:
    """`decode`, in a forked child for the files LibRaw reads (see above)."""
    if not hasattr(os, "fork") or not imaging.read_by_libraw(path):
        return decode(path)
    read_end, write_end = os.pipe()
    worker = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: decode, answer through the pipe, and leave without cleanup
        try:
            os.close(read_end)
            _bound_child(worker)
            try:
                answer: tuple = ("ok", decode(path))
            except imaging.UnreadableImage as exc:
                answer = ("unreadable", str(exc))
            except FileNotFoundError as exc:
                answer = ("missing", str(exc))
            except BaseException as exc:  # noqa: BLE001 -- told to the worker, which logs it
                answer = ("error", f"{type(exc).__name__}: {exc}")
            with os.fdopen(write_end, "wb") as out:
                out.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
        finally:
            # Not sys.exit: no atexit, no closing of the worker's database connection.
            os._exit(0)
    os.close(write_end)
    answered = False
    try:
        data = _read_all(read_end, time.monotonic() + settings.BOOKER_INGEST_TIMEOUT_SECONDS)
        answered = True
    finally:
        os.close(read_end)
        _end_child(pid, kill=not answered)
    if not data:
        raise DecoderDied(path)
    # The child is this worker forked (same user, same rights): its pipe gives it no power the
    # worker lacks, so unpickling its answer trusts nothing new.
    kind, value = pickle.loads(data)  # noqa: S301  # nosec B301 # our own forked child
    if kind == "ok":
        return value
    if kind == "unreadable":
        raise imaging.UnreadableImage(value)  # French already: gettext leaves it as it is
    if kind == "missing":
        raise FileNotFoundError(value)
    raise RuntimeError(f"decoder: {value}")


def _bound_child(worker: int) -> None:
    """A child stuck in C must not outlive the worker that waits for it (killed with -9, it
    cannot kill the child): it dies with it (Linux's parent-death signal), and the kernel
    ends it past the time limit's CPU in any case."""
    limit = settings.BOOKER_INGEST_TIMEOUT_SECONDS + 5
    resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU's default action dumps core
    libc = _c_library()
    if libc and hasattr(libc, "prctl"):
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != worker:  # the worker died before the line above
        os._exit(1)


PR_SET_PDEATHSIG = 1


def _read_all(fd: int, deadline: float) -> bytes:
    """Everything the child writes until it closes the pipe. The task's alarm interrupts the
    wait (TimeoutException); outside a worker (a command, the tests), the deadline does."""
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutException(f"decode exceeded {settings.BOOKER_INGEST_TIMEOUT_SECONDS} s")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 1024 * 1024)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def _end_child(pid: int, *, kill: bool) -> None:
    """Reap the child, killed first when its answer was not awaited to the end (the time
    limit, or the worker stopping): it must not outlive its rush."""
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.waitpid(pid, 0)  # it closed the pipe as it left: at once


def _fail(c: Claim, rush: Rush, reason: str) -> Rush | None:
    reason = reason[:255]  # the column's size: PostgreSQL refuses a longer one

    @transaction.atomic  # the status and its event, or neither
    def write_failed() -> bool:
        if not RUSH_INGEST.move_rows(_held(c), Ingest.PROCESSING, Ingest.FAILED,
                                     failure_reason=reason):
            return False
        record_event(rush.session, Event.RUSH_FAILED, actor=None, rush=rush.pk,
                     filename=rush.original_filename, reason=reason)
        return True

    if not through_restart(write_failed):
        return None
    rush.refresh_from_db()
    return rush


def _decoder_died(c: Claim, rush: Rush) -> Rush | None:
    """The decoding child was killed (out of memory, a crash in LibRaw) while the worker
    lives: what a dead worker's rush goes through (taken again, failed once its attempts are
    spent: BOOKER_INGEST_MAX_ATTEMPTS), known at once instead of after a lease."""
    log.warning("rush %s: the decoder died during attempt %s", rush.pk, c.attempt)
    if c.attempt >= settings.BOOKER_INGEST_MAX_ATTEMPTS:
        return _fail(c, rush, gettext(GIVE_UP) % {
            "attempts": c.attempt, "seconds": settings.BOOKER_INGEST_TIMEOUT_SECONDS})
    if not through_restart(
            lambda: RUSH_INGEST.move_rows(_held(c), Ingest.PROCESSING, Ingest.PENDING)):
        return None
    enqueue_ingest(rush)
    rush.refresh_from_db()
    return rush


def _wait_for_storage(c: Claim, rush: Rush, exc: Exception) -> Rush | None:
    """The storage did not answer: the file is not at fault. Back to pending with the reason,
    and the attempt not counted (BOOKER_INGEST_MAX_ATTEMPTS is for files that kill their
    worker, not for an outage). `processing_started_at` stays the claim's time: the sweep
    queues the rush again one lease later, and again after each lease while S3 is down."""
    log.warning("rush %s: storage unavailable (%s), left pending for a later retry",
                rush.pk, type(exc).__name__)
    if not through_restart(lambda: RUSH_INGEST.move_rows(
            _held(c), Ingest.PROCESSING, Ingest.PENDING, attempts=c.attempt - 1,
            failure_reason=gettext(STORAGE_WAIT))):
        return None
    rush.refresh_from_db()
    return rush


def _give_up(rush_id: int, attempts: int) -> None:
    """The rush's worker died `attempts` times in a row: the file itself is the likely cause."""
    # A decode busy in C code never sees the task's alarm (TimeoutException): the cluster's
    # guard kills its worker at the time limit instead, and the rush ends here.
    reason = gettext(GIVE_UP) % {
        "attempts": attempts, "seconds": settings.BOOKER_INGEST_TIMEOUT_SECONDS}
    failed = RUSH_INGEST.move_rows(
        Rush.objects.filter(pk=rush_id, attempts=attempts), Ingest.PROCESSING, Ingest.FAILED,
        failure_reason=reason[:255],
    )
    if failed:
        rush = Rush.objects.select_related("session").get(pk=rush_id)
        record_event(rush.session, Event.RUSH_FAILED, actor=None, rush=rush.pk,
                     filename=rush.original_filename, reason=reason)


# --- The original, as a path the decoders can read ------------------------------------------


def _unwrapped(storage: Storage) -> Storage:
    if isinstance(storage, LazyObject):
        if storage._wrapped is empty:
            storage._setup()
        return storage._wrapped
    return storage


@contextmanager
def local_original(rush: Rush, head: tiffpreview.Blocks | None = None) -> Iterator[Path]:
    """A path to the rush's original for LibRaw and Pillow, which read a file far more
    cheaply than bytes held in Python (LibRaw copies a buffer it is given; from a file it
    reads what it needs).

    On the local disk: the stored file itself (it was hashed as it was stored). Elsewhere
    (S3): streamed to a temporary file a block at a time, its sha256 checked against the
    rush's on the way unless it was checked at upload (`Rush.checked_at_upload`). The file
    is unlinked as soon as it is created and read through /proc/self/fd, so that not even a
    kill -9 leaves a copy behind. `head`: the blocks the preview search already fetched
    from the file's start; the download goes on after them, and they are dropped once
    written (the decode that follows needs the memory)."""
    storage = _unwrapped(rush.original.storage)
    if isinstance(storage, FileSystemStorage):
        path = Path(storage.path(rush.original.name))
        if not path.is_file():
            raise FileNotFoundError(path)
        yield path
        return
    suffix = PurePath(rush.original.name).suffix[:10]
    with _anonymous_file(suffix) as (fh, path):
        digest = None if rush.checked_at_upload else hashlib.sha256()
        try:
            fetched = 0
            if head is not None:
                for block in head.head_blocks():
                    fh.write(block)
                    if digest is not None:
                        digest.update(block)
                    fetched += len(block)
                head.forget()
            chunks = iter_chunks(storage, rush.original.name, STREAM_CHUNK, start=fetched)
            for chunk in chunks if fetched < rush.size else ():
                if digest is not None:
                    digest.update(chunk)
                fh.write(chunk)
        except Exception as exc:
            if _is_missing(exc):
                raise FileNotFoundError(rush.original.name) from exc
            raise
        fh.flush()
        if digest is not None and rush.sha256 and digest.hexdigest() != rush.sha256:
            raise ChecksumMismatch(rush.original.name)
        yield path


@contextmanager
def _anonymous_file(suffix: str) -> Iterator[tuple[object, Path]]:
    folder = getattr(settings, "BOOKER_INGEST_TMP_DIR", "") or None
    fh = tempfile.NamedTemporaryFile(prefix="booke-ingest-", suffix=suffix, dir=folder,
                                     delete=False)
    try:
        fd_path = Path(f"/proc/self/fd/{fh.fileno()}")
        if fd_path.exists():
            os.unlink(fh.name)  # Linux: readable through the descriptor, gone from the disk
            path = fd_path
        else:
            path = Path(fh.name)
        yield fh, path
    finally:
        fh.close()
        if os.path.exists(fh.name):
            os.unlink(fh.name)


def _is_missing(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    code = (response or {}).get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in ("NoSuchKey", "404")


def warm_up(**kwargs) -> None:
    """Run in each new task worker (django-q's post_spawn): make the S3 connection (boto3
    loads its service models: ~0.4 s) before the first rush arrives rather than during it.

    First, gc.freeze(): the worker is forked, and shares the cluster's ~150 MB of imported
    Python with it until something writes to those pages. A full garbage collection writes
    to every object it visits; frozen, the inherited objects are never visited, so they stay
    shared (measured: idle worker PSS 116 MiB without, see docs/benchmarks.md)."""
    gc.freeze()
    try:
        for storage in (Rush._meta.get_field("original").storage,
                        Rush._meta.get_field("proof").storage):
            storage = _unwrapped(storage)
            if hasattr(storage, "bucket"):
                storage.bucket  # noqa: B018 -- the property makes the connection
    except Exception:  # noqa: BLE001 -- a warm-up: the first task will say what is wrong
        log.exception("ingest warm-up failed")


def warm_up_before_fork() -> None:
    """Run once in the cluster's parent, before it forks its workers: what every worker would
    otherwise build for itself on its first rush (the watermark layers of the two usual proof
    sizes, Pillow's codecs, a JPEG round trip) is then built once and shared by the workers'
    pages until written to, instead of counted in each worker."""
    from PIL import Image

    Image.init()
    width, height = PROOF_EDGE, round(PROOF_EDGE * 2 / 3)
    for size in ((width, height), (height, width)):
        imaging.watermark(Image.new("RGB", size), settings.STUDIO_WATERMARK)
    imaging.to_jpeg(Image.new("RGB", (64, 64)))
    gc.collect()
    gc.freeze()
    release_memory()  # the proof-sized pictures drawn on, not inherited as dead heap


# --- Memory ---------------------------------------------------------------------------------

_libc = None


def _c_library():
    """The C library (glibc's extras: malloc_trim, prctl), or False where there is none."""
    global _libc
    if _libc is None:
        name = ctypes.util.find_library("c")
        try:
            _libc = ctypes.CDLL(name) if name else False
        except OSError:
            _libc = False
    return _libc


def release_memory() -> None:
    """Give the decode's freed buffers back to the system. glibc keeps freed heap for reuse
    (and raises its mmap threshold after large frees), so without this a worker's RSS stays
    at its largest decode between tasks."""
    libc = _c_library()
    if libc and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


# --- The sweeper ----------------------------------------------------------------------------


def requeue_stalled_rushes() -> int:
    """Queue again the rushes nobody is working on any more; run every minute by the
    cluster's scheduler. Returns how many were queued.

    - `processing` past its lease: the worker died (its task may be gone with it).
    - `pending` for longer than a lease while the broker's queue is empty: its task was lost
      (the Redis broker forgets a task a killed worker had popped; a cluster killed whole
      loses the tasks it had prefetched). Queuing a rush twice is harmless: the second task
      finds it claimed or ready and does nothing."""
    expired = timezone.now() - lease()
    requeued: set[int] = set()
    stalled = Rush.objects.filter(
        ingest_status=Ingest.PROCESSING, processing_started_at__lt=expired
    ).values_list("pk", "attempts", "session_id")
    for pk, attempts, session_id in stalled:
        if attempts >= settings.BOOKER_INGEST_MAX_ATTEMPTS:
            _give_up(pk, attempts)
            continue
        if RUSH_INGEST.move_rows(Rush.objects.filter(pk=pk, attempts=attempts),
                                 Ingest.PROCESSING, Ingest.PENDING):
            enqueue_ingest(Rush(pk=pk, session_id=session_id))
            requeued.add(pk)
    # A worker may already have taken the task just queued, so the queue looks empty: the rushes
    # queued a moment ago above are not lost ones.
    if _queue_is_empty():
        lost = (
            Rush.objects.filter(ingest_status=Ingest.PENDING, created_at__lt=expired)
            .exclude(processing_started_at__gte=expired)
            .exclude(pk__in=requeued)
            .values_list("pk", "session_id")
        )
        for pk, session_id in lost:
            enqueue_ingest(Rush(pk=pk, session_id=session_id))
            requeued.add(pk)
    count = len(requeued)
    if count:
        log.warning("requeued %s stalled rushes", count)
    # The same minute tells clients of the new proofs whose batch has settled (a schedule of
    # its own would be one more row for the same beat).
    from booker.intake.services import announce_settled_proofs

    announce_settled_proofs()
    return count


def _queue_is_empty() -> bool:
    from django_q.brokers import get_broker

    try:
        return not get_broker().queue_size()
    except Exception:  # noqa: BLE001 -- unknown: assume busy, a later sweep will see
        log.exception("cannot read the task queue's size")
        return False


# Its Schedule is declared in booker/schedules.py and kept by the registry.
SWEEPER = schedules.SWEEPER.name
