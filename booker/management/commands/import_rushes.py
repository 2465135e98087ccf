"""The studio machine's side: import a card dump folder into a session.

    python manage.py import_rushes --client EMAIL [--session ID] [--sync] FOLDER

One line per file (`NAME: ready`, `NAME: failed: <reason>`, `NAME: duplicate`, or `NAME:
queued` when a worker will make the proof), then a summary. Exits 0 whenever the import
itself ran, whatever became of single files."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from booker import services
from booker.models import PhotoSession, User

# Files a camera or an OS leaves on a card that are not photos.
SKIPPED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
SKIPPED_SUFFIXES = {".xmp", ".thm", ".ctg", ".dat", ".ind", ".lrv", ".xml", ".txt", ".bin"}


class Command(BaseCommand):
    help = "Import every file of a folder (recursively) as rushes of a client's session."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--client", required=True, help="The client's email.")
        parser.add_argument("--session", type=int, help="Add to this session instead of a new one.")
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Make the proofs in this process (no worker needed).",
        )
        parser.add_argument("--title", help="Title of the new session.")

    def handle(
        self,
        *args,
        folder: Path,
        client: str,
        session: int | None,
        sync: bool,
        title: str | None,
        **options,
    ):
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        owner = User.objects.filter(email__iexact=client.strip()).first()
        if owner is None:
            raise CommandError(f"No client with the email {client}.")
        target = self._session(owner, session, title or f"Import {folder.name}")
        files = sorted(
            p
            for p in folder.rglob("*")
            if p.is_file()
            and not p.name.startswith("._")
            and p.name.lower() not in SKIPPED_NAMES
            and p.suffix.lower() not in SKIPPED_SUFFIXES
        )
        self.stdout.write(f"Session #{target.pk} “{target.title}”: {len(files)} files")
        outcomes: Counter[str] = Counter()
        for path in files:
            name = str(path.relative_to(folder))
            outcome = self._import(target, path, sync)
            outcomes[outcome.split(":")[0]] += 1
            self.stdout.write(f"{name}: {outcome}")
        summary = ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items())) or "no file"
        self.stdout.write(self.style.SUCCESS(f"Imported into session #{target.pk}: {summary}."))

    def _session(self, owner: User, pk: int | None, title: str) -> PhotoSession:
        if pk is None:
            return services.create_session(title=title, client=owner, scheduled_at=timezone.now())
        found = PhotoSession.objects.filter(pk=pk).first()
        if found is None:
            raise CommandError(f"No session #{pk}.")
        if (
            found.client_id != owner.pk
            and not owner.memberships.filter(company_id=found.company_id).exists()
        ):
            raise CommandError(f"Session #{pk} does not belong to {owner.email}.")
        return found

    def _import(self, session: PhotoSession, path: Path, sync: bool) -> str:
        # LibRaw writes its complaints to the process's stderr, naming the file by its
        # storage path (…/private/originals/…: Unexpected end of file) between our lines:
        # kept aside, and shown in the file's own line, without the path, if it failed.
        with libraw_messages() as heard:
            outcome = self._import_one(session, path, sync)
        said = heard()
        if said and outcome.startswith("failed"):
            outcome += f" (LibRaw: {said})"
        return outcome

    def _import_one(self, session: PhotoSession, path: Path, sync: bool) -> str:
        try:
            with path.open("rb") as fh:
                added = services.add_rush(session, fh, path.name, enqueue=not sync)
        except OSError as exc:
            return f"failed: cannot read the file ({exc.strerror or exc})"
        except services.StudioError as exc:
            raise CommandError(str(exc)) from exc
        if added.duplicate:
            return "duplicate"
        if not sync:
            return "queued"
        rush = services.ingest_rush(added.rush.pk) or added.rush
        rush.refresh_from_db()
        if rush.ingest_status == rush.Ingest.FAILED:
            return f"failed: {rush.failure_reason}"
        return rush.ingest_status


@contextmanager
def libraw_messages() -> Iterator[Callable[[], str]]:
    """Capture what C code writes on file descriptor 2 while the block runs; the callable
    gives it afterwards, each line stripped of the file name LibRaw puts before its colon."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        text = ""
        try:
            yield lambda: text
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            said, others = [], []
            for line in sink.read().decode("utf-8", "replace").splitlines():
                found = _LIBRAW_LINE.match(line)
                if found:
                    said.append(found["message"].strip())
                elif line.strip():
                    others.append(line)
            text = "; ".join(dict.fromkeys(said))
            # Anything else (our own log lines) goes where it was going.
            if others:
                sys.stderr.write("\n".join(others) + "\n")
                sys.stderr.flush()


# "<file name>.<ext>: <message>", as LibRaw prints (libraw_datastream's error handler).
_LIBRAW_LINE = re.compile(r"^(?P<file>.+\.[A-Za-z0-9]{2,5}): (?P<message>.+)$")
