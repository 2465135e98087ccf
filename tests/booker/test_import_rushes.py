import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from booker.models import PhotoSession, Rush
from tests.booker.test_ingest import SAMPLES, jpeg_bytes, needs_samples
from tests.factories import UserFactory


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_rushes", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def card(tmp_path) -> Path:
    """A card dump: nested folders, a good JPEG, a broken RAW, a sidecar to skip."""
    root = tmp_path / "card"
    dcim = root / "DCIM" / "100CANON"
    dcim.mkdir(parents=True)
    (dcim / "IMG_0001.JPG").write_bytes(jpeg_bytes((800, 600)))
    (dcim / "IMG_0002.CR2").write_bytes(b"\x00not a raw at all" * 100)
    (dcim / "IMG_0001.xmp").write_text("<x:xmpmeta/>")
    (root / ".DS_Store").write_bytes(b"junk")
    return root


@pytest.mark.django_db
def test_import_reports_one_line_per_file_and_a_summary(card):
    client = UserFactory(email="lea@example.test")
    out = run("--client", "LEA@example.test", "--sync", str(card))
    assert "DCIM/100CANON/IMG_0001.JPG: ready" in out
    assert "DCIM/100CANON/IMG_0002.CR2: failed: ce n’est pas un fichier RAW" in out
    assert ".xmp" not in out and "DS_Store" not in out
    assert "1 failed, 1 ready" in out
    session = PhotoSession.objects.get(client=client)
    assert session.rushes.count() == 2


@needs_samples
@pytest.mark.django_db
def test_reimporting_the_same_card_into_the_session_reports_duplicates(card):
    shutil.copy(SAMPLES / "canon_eos_6d.dng", card / "IMG_0003.DNG")
    UserFactory(email="lea@example.test")
    run("--client", "lea@example.test", "--sync", str(card))
    session = PhotoSession.objects.get()
    out = run("--client", "lea@example.test", "--session", str(session.pk), "--sync", str(card))
    assert out.count(": duplicate") == 3
    assert session.rushes.filter(ingest_status=Rush.Ingest.READY).count() == 2


@pytest.mark.django_db
def test_without_sync_the_files_are_queued_for_the_worker(card):
    UserFactory(email="lea@example.test")
    out = run("--client", "lea@example.test", str(card))
    assert out.count(": queued") == 2


@pytest.mark.django_db
def test_an_unknown_client_or_missing_folder_is_a_clear_error(card, tmp_path):
    with pytest.raises(CommandError, match="No client"):
        run("--client", "ghost@example.test", str(card))
    UserFactory(email="lea@example.test")
    with pytest.raises(CommandError, match="is not a folder"):
        run("--client", "lea@example.test", str(tmp_path / "nope"))


@pytest.mark.django_db
def test_another_clients_session_is_refused(card):
    UserFactory(email="lea@example.test")
    other = PhotoSession.objects.create(title="x", client=UserFactory())
    with pytest.raises(CommandError, match="does not belong"):
        run("--client", "lea@example.test", "--session", str(other.pk), str(card))


@needs_samples
@pytest.mark.django_db
def test_libraw_s_messages_stay_in_the_file_s_line_without_storage_paths(card, capfd):
    UserFactory(email="lea@example.test")
    whole = (SAMPLES / "kodak_dc50.kdc").read_bytes()
    (card / "DCIM" / "100CANON" / "IMG_0003.KDC").write_bytes(whole[: len(whole) // 3])

    out = run("--client", "lea@example.test", "--sync", str(card))
    printed = capfd.readouterr()

    line = next(x for x in out.splitlines() if x.startswith("DCIM/100CANON/IMG_0003.KDC"))
    assert line.startswith("DCIM/100CANON/IMG_0003.KDC: failed: fichier tronqué")
    assert "(LibRaw: Unexpected end of file)" in line
    assert "originals" not in out
    assert "Unexpected end of file" not in printed.err
    assert "Unexpected end of file" not in printed.out
