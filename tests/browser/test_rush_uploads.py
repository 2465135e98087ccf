"""The studio page's rush uploader in a real Chromium: the sha256 worker against hashlib, and
the uploads themselves — chunks to the studio (local disk) or parts straight to S3 (moto's
server) — with duplicates, resume after a closed tab, and a dropped connection."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from booker import roles, services
from booker.intake import uploads
from tests.factories import PASSWORD, UserFactory, user_with_role
from tests.otp import confirmed_device, type_the_code
from tests.storage.conftest import outage, s3, s3_server  # noqa: F401  (fixtures)

MiB = 1024 * 1024
# part_size_for() never goes under S3's 5 MiB minimum, locally too: a 11 MB file is 3 parts.
PART = 5 * MiB


def photo(path: Path, seed: int, size: int = 0) -> Path:
    """A JPEG (the ingest makes its proof), padded to `size` bytes that differ per seed."""
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (seed * 50 % 256, 120, 90)).save(out, "JPEG")
    data = out.getvalue()
    path.write_bytes(data + os.urandom(max(0, size - len(data))))
    return path


@pytest.fixture
def photographer(db):
    return user_with_role(roles.PHOTOGRAPHER)


@pytest.fixture
def booked(photographer):
    return services.create_session(title="Mariage Léa", client=UserFactory())


@pytest.fixture
def small_parts(settings):
    settings.BOOKER_UPLOAD_PART_SIZE = PART


def open_studio(page: Page, user, session) -> None:
    confirmed_device(user)
    page.goto(f"/accounts/login/?next=/admin/booker/photosession/{session.pk}/studio/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    type_the_code(page, user)
    expect(page.locator("#studio h1")).to_contain_text(session.title)


def row(page: Page, name: str):
    return page.locator("#rushes .bo-file", has=page.locator(".bo-file-name", has_text=name))


# --- The fingerprint -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sha256_worker_gives_hashlibs_digest_for_every_length_and_split(page: Page):
    page.goto("/accounts/login/")
    page.add_script_tag(url="/static/booker/sha256.js")
    cases = [os.urandom(n) for n in (0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70_001)]
    got = page.evaluate(
        """cases => cases.map(b64 => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const whole = new BookeSha256().update(bytes).hex();
            const pieces = new BookeSha256();  // fed in uneven pieces, as a file is read
            for (let p = 0, step = 1; p < bytes.length; p += step, step = step * 3 % 97 + 1)
                pieces.update(bytes.subarray(p, p + step));
            return [whole, pieces.hex()];
        })""",
        [base64.b64encode(c).decode() for c in cases],
    )
    assert got == [[hashlib.sha256(c).hexdigest()] * 2 for c in cases]

    # Past 512 MB the bit length no longer fits in 32 bits: the hash itself, fed 8 MiB at a
    # time (a 560 MB Blob made in the page is more than headless Chromium's blob store keeps).
    block = bytes(range(256)) * (4096 * 8)  # 8 MiB
    count, tail = 70, 13
    digest = hashlib.sha256()
    for _ in range(count):
        digest.update(block)
    digest.update(block[:tail])
    got = page.evaluate(
        """([count, tail]) => {
            const block = new Uint8Array(8 * 1024 * 1024).map((_, i) => i % 256);
            const hash = new BookeSha256();
            for (let n = 0; n < count; n++) hash.update(block);
            return hash.update(block.subarray(0, tail)).hex();
        }""",
        [count, tail],
    )
    assert got == digest.hexdigest()

    # The worker, on a File read a 4 MiB part at a time, with progress for each part and
    # each part's own SHA-256 in base64 (what S3 checks the part against).
    data = os.urandom(9 * 1024 * 1024 + 5)
    part = 4 * 1024 * 1024
    got = page.evaluate(
        """([b64, part]) => new Promise((resolve, reject) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const worker = new Worker("/static/booker/sha256.js");
            let progress = 0;
            worker.onmessage = e => {
                if (e.data.progress !== undefined) { progress++; return; }
                resolve([e.data.sha256 || "error: " + e.data.error, e.data.id, progress,
                         e.data.parts]);
            };
            worker.onerror = e => reject(e.message);
            worker.postMessage({id: 7, file: new File([bytes], "IMG_0001.CR2"), partSize: part});
        })""",
        [base64.b64encode(data).decode(), part],
    )
    parts = [base64.b64encode(hashlib.sha256(data[at:at + part]).digest()).decode()
             for at in range(0, len(data), part)]
    assert got == [hashlib.sha256(data).hexdigest(), 7, 3, parts]


# --- Uploads to the studio (local disk) ------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rushes_go_up_in_chunks_duplicates_are_not_sent_and_the_grid_fills(
    page: Page, photographer, booked, small_parts, tmp_path
):
    from booker.models import Rush

    big = photo(tmp_path / "IMG_0001.CR2", 1, 2 * PART + 300_000)
    small = photo(tmp_path / "IMG_0002.JPG", 2)
    copy = tmp_path / "IMG_0002 copie.JPG"
    copy.write_bytes(small.read_bytes())
    chunks = []
    page.on("request", lambda r: chunks.append(r.url) if "/chunk/" in r.url else None)
    open_studio(page, photographer, booked)

    page.locator("#rushes input[type=file]").set_input_files([big, small])
    summary = page.locator("#rushes .bo-upload-summary")
    expect(summary).to_contain_text("Enregistrés : 2 · doublons : 0 · erreurs : 0")
    expect(row(page, "IMG_0001.CR2").locator(".bo-file-state")).to_have_text("enregistré")
    expect(page.locator(".bo-batch-text")).to_contain_text("2 sur 2 fichiers")
    assert sorted(re.sub(r".*offset=", "", u) for u in chunks) == sorted(
        ["0", str(PART), str(2 * PART), "0"])
    # The grid follows the ingest without a reload; the session is now "shot".
    expect(page.locator("[data-rush-grid] .bo-rush-ready")).to_have_count(2)
    expect(page.locator("[data-session-badge]")).to_contain_text("réalisée")

    # A second batch: the copy (same bytes, other name) is recognised before anything is sent.
    chunks.clear()
    page.locator("#rushes input[type=file]").set_input_files([copy])
    expect(summary).to_contain_text("Enregistrés : 0 · doublons : 1 · erreurs : 0")
    expect(row(page, "IMG_0002 copie.JPG").locator(".bo-file-state")).to_contain_text(
        "doublon")
    assert chunks == []
    stored = {r.original_filename: r for r in Rush.objects.all()}
    assert set(stored) == {"IMG_0001.CR2", "IMG_0002.JPG"}
    with stored["IMG_0001.CR2"].original.open("rb") as fh:
        assert fh.read() == big.read_bytes()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_a_closed_tab_the_same_file_sends_only_what_is_missing(
    page: Page, photographer, booked, small_parts, tmp_path
):
    from booker.models import Rush

    big = photo(tmp_path / "IMG_0003.CR2", 3, 2 * PART + 1000)
    data = big.read_bytes()
    # What a closed tab leaves behind: an open upload with its first part received.
    started = uploads.start_upload(booked, filename=big.name, size=len(data),
                                   sha256=hashlib.sha256(data).hexdigest())
    uploads.receive_chunk(started.upload, 0, io.BytesIO(data[:PART]), PART)
    offsets = []
    page.on("request", lambda r: offsets.append(r.url.split("offset=")[1])
            if "/chunk/" in r.url else None)
    open_studio(page, photographer, booked)
    page.locator("#rushes input[type=file]").set_input_files([big])
    expect(page.locator("#rushes .bo-upload-summary")).to_contain_text("Enregistrés : 1")
    assert offsets == [str(PART), str(2 * PART)]
    with Rush.objects.get().original.open("rb") as fh:
        assert fh.read() == data


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dropped_chunk_is_sent_again_and_a_file_that_keeps_failing_waits_for_retry(
    page: Page, photographer, booked, small_parts, tmp_path
):
    from booker.models import Rush

    # Told apart by their sizes: the network sees bodies, not names.
    flaky = photo(tmp_path / "IMG_0004.CR2", 4, 40_000)
    broken = photo(tmp_path / "IMG_0005.CR2", 5, 50_000)
    ok = photo(tmp_path / "IMG_0006.CR2", 6, 60_000)
    dropped = {40_000: 0, 50_000: 0}

    def network(route):
        size = len(route.request.post_data_buffer or b"")
        if size == 50_000 or (size == 40_000 and not dropped[size]):
            dropped[size] += 1
            return route.abort("connectionreset")
        return route.continue_()

    page.clock.install()  # the back-off waits (1 s, 2 s, 4 s, 8 s) pass at once
    open_studio(page, photographer, booked)
    page.route("**/chunk/**", network)
    page.locator("#rushes input[type=file]").set_input_files([flaky, broken, ok])
    broken_row = row(page, "IMG_0005.CR2")
    # Fake time makes the back-off waits instant; the aborted requests still take real time
    # (much more on a loaded machine), so give them up to a minute of it.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page.clock.run_for(2000)
        if broken_row.locator(".bo-file-retry").count():
            break
        page.wait_for_timeout(100)
    expect(broken_row.locator(".bo-file-state")).to_contain_text("après plusieurs essais")
    summary = page.locator("#rushes .bo-upload-summary")
    expect(summary).to_contain_text("Enregistrés : 2 · doublons : 0 · erreurs : 1")
    assert dropped == {40_000: 1, 50_000: 5}  # sent 5 times, then it waits for Retry
    assert set(Rush.objects.values_list("original_filename", flat=True)) == {
        "IMG_0004.CR2", "IMG_0006.CR2"}

    page.unroute("**/chunk/**")
    broken_row.get_by_role("button", name="Réessayer").click()
    expect(summary).to_contain_text("Enregistrés : 3 · doublons : 0 · erreurs : 0")
    expect(broken_row.locator(".bo-file-state")).to_have_text("enregistré")


# --- Straight to S3 --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_originals_on_s3_the_browser_puts_the_parts_to_s3_itself(
    page: Page, photographer, booked, small_parts, s3, tmp_path  # noqa: F811
):
    from booker.models import Rush

    big = photo(tmp_path / "IMG_0007.CR2", 7, 2 * PART + 5000)
    small = photo(tmp_path / "IMG_0008.JPG", 8)
    to_s3, to_studio = [], []

    def watch(request):
        if request.url.startswith(s3.endpoint) and request.method == "PUT":
            to_s3.append(int(re.search(r"partNumber=(\d+)", request.url).group(1)))
        elif "/studio/uploads/" in request.url:
            to_studio.append(len(request.post_data_buffer or b""))

    page.on("request", watch)
    open_studio(page, photographer, booked)
    page.locator("#rushes input[type=file]").set_input_files([big, small])
    expect(page.locator("#rushes .bo-upload-summary")).to_contain_text(
        "Enregistrés : 2 · doublons : 0 · erreurs : 0", timeout=30_000)
    assert sorted(to_s3) == [1, 1, 2, 3]
    assert max(to_studio) < 2000  # the studio saw JSON, never the file's bytes
    for rush in Rush.objects.all():
        source = big if rush.original_filename == big.name else small
        assert s3.read(f"originals/{rush.original.name}") == source.read_bytes()
    expect(page.locator("[data-rush-grid] .bo-rush-ready")).to_have_count(2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_s3_down_the_file_stops_with_the_reason_in_french_and_retry_sends_it_once_back(
    page: Page, photographer, booked, small_parts, outage, s3, tmp_path  # noqa: F811
):
    from booker.models import Rush

    big = photo(tmp_path / "IMG_0009.CR2", 9, 2 * PART + 5000)
    open_studio(page, photographer, booked)
    outage.down()
    page.locator("#rushes input[type=file]").set_input_files([big])
    big_row = row(page, "IMG_0009.CR2")
    expect(big_row.locator(".bo-file-state")).to_contain_text(
        "Le stockage des fichiers ne répond pas pour le moment", timeout=30_000)
    assert not Rush.objects.exists()

    outage.up()
    big_row.get_by_role("button", name="Réessayer").click()
    expect(big_row.locator(".bo-file-state")).to_have_text("enregistré", timeout=30_000)
    rush = Rush.objects.get()
    assert s3.read(f"originals/{rush.original.name}") == big.read_bytes()
