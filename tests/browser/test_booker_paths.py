"""The studio's whole road, clicked as people do (issue 4): a client picks and comments on a
phone, the photographer reads the picks and starts the retouching, the retoucher drops the
finals, the photographer approves and delivers, the client downloads the ZIP.

Every step goes through the real UI; the database is only read, to check what the clicks did."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path, PurePath

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from booker.demo import DEMO_PASSWORD
from tests.otp import type_the_code

SESSION = "Portraits de Léa"
COMMENT = "recadrer plus serré"


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def open_studio(page: Page) -> None:
    """From anywhere in /admin/: home → Sessions → the session's studio page."""
    page.goto("/admin/")
    page.locator(".bo-shortcuts").get_by_role("link", name=re.compile(r"^Séances")).click()
    page.get_by_role("link", name=SESSION, exact=True).click()
    expect(page.locator("#studio h1")).to_contain_text(SESSION)


def run_action_on_all(page: Page, action: str) -> None:
    """On an admin change list: tick every row, choose the action, press Go."""
    page.locator("#action-toggle").check()
    expect(page.locator("input.action-select:not(:checked)")).to_have_count(0)
    page.locator("select[name=action]").select_option(action)
    page.locator("button[name=index]").click()


def make_final(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (600, 400), colour).save(path, "JPEG", quality=85)
    return path


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_selection_goes_from_the_clients_phone_to_retouching_and_back_as_a_zip(
    phone, page, browser, serial_live_server, demo, tmp_path
):
    from booker.models import DownloadLog, PhotoSession

    # --- 1. The client picks, comments and submits, on a phone. ---------------------------
    phone.goto("/")
    phone.locator(".account-nav").get_by_role("link", name="Se connecter").click()
    log_in(phone, "client@booke.test")
    phone.locator(".account-nav").get_by_role("link", name="Mon espace").click()
    expect(phone).to_have_url(re.compile(r"/portal/$"))
    phone.get_by_role("link", name=re.compile(SESSION)).click()
    expect(phone.locator("h1")).to_have_text(SESSION)

    cards = phone.locator("[data-photo]")
    expect(cards).to_have_count(12)
    names = [cards.nth(i).get_attribute("data-name") for i in range(6)]
    counter = phone.locator(".selection-bar [data-counter-text]")
    expect(counter).to_have_text(re.compile(r"\b0\b.*\b5\b"))

    # Two hearts in the grid.
    for name in names[:2]:
        heart = phone.get_by_role("button", name=f"Choisir {name}", exact=True)
        heart.click()
        expect(heart).to_have_attribute("aria-pressed", "true")
    expect(counter).to_have_text(re.compile(r"\b2\b.*\b5\b"))

    # The third in the lightbox: open the 5th photo, → to the 6th, heart it, comment it.
    lightbox = phone.locator("dialog[data-lightbox]")
    cards.nth(4).locator(".photo-open").click()
    expect(lightbox).to_be_visible()
    expect(lightbox.locator("[data-lb-name]")).to_have_text(names[4])
    phone.keyboard.press("ArrowRight")
    expect(lightbox.locator("[data-lb-name]")).to_have_text(names[5])
    expect(lightbox.locator("[data-lb-pos]")).to_have_text(re.compile(r"\b6\b.*\b12\b"))
    lb_heart = lightbox.locator("[data-lb-heart]")
    expect(lb_heart).to_have_attribute("aria-pressed", "false")
    lb_heart.click()
    expect(lb_heart).to_have_attribute("aria-pressed", "true")
    expect(lightbox.locator(".lb-counter")).to_have_text(re.compile(r"\b3\b.*\b5\b"))
    lightbox.get_by_label("Un mot pour le studio sur cette photo").fill(COMMENT)
    lightbox.get_by_role("button", name="Enregistrer le commentaire").click()
    expect(lightbox.locator("[data-lb-saved]")).to_have_text("Commentaire enregistré.")
    # Django's own catalogue translates "Close" for the fr-FR browser.
    lightbox.get_by_role("button", name="Fermer").click()
    expect(lightbox).to_be_hidden()

    picked_card = cards.nth(5)
    expect(picked_card.locator(".pick-form .heart")).to_have_attribute("aria-pressed", "true")
    expect(picked_card.locator(".comment-flag")).to_be_visible()
    expect(counter).to_have_text(re.compile(r"\b3\b.*\b5\b"))
    expect(phone.locator("[data-count=picked]")).to_have_text("3")
    expect(phone.locator("[data-count=commented]")).to_have_text("1")
    picked = [names[0], names[1], names[5]]

    # Submit, through the confirmation step.
    phone.get_by_role("link", name="Envoyer ma sélection").click()
    expect(phone.locator("h1")).to_have_text("Envoyer ma sélection")
    expect(phone.locator(".submit-summary .lead")).to_have_text(re.compile(r"\b3\b.*\b5\b"))
    expect(phone.locator(".submit-picks [data-photo]")).to_have_count(3)
    phone.get_by_role("button", name="Oui, envoyer ma sélection").click()
    expect(phone).to_have_url(re.compile(r"/portal/sessions/\d+/$"))
    expect(phone.get_by_role("heading", name="Les 3 photos que vous avez choisies")).to_be_visible()
    expect(phone.locator(".messages")).to_contain_text("Votre sélection est envoyée au studio")
    expect(phone.locator("[data-gallery]")).to_have_attribute("data-readonly", "")
    expect(phone.locator("[data-photo]")).to_have_count(3)
    for name in picked:
        expect(phone.locator(f"[data-photo][data-name='{name}']")).to_have_count(1)
    # No heart to press any more: static icons only, and no pick form.
    expect(phone.locator("button.heart")).to_have_count(0)
    expect(phone.locator("form.pick-form")).to_have_count(0)
    expect(phone.locator(".heart.is-static")).to_have_count(3)
    expect(phone.locator(".photo-comment-text")).to_have_text(COMMENT)
    expect(phone.locator("a[href$='/submit/']")).to_have_count(0)

    session = PhotoSession.objects.get(title=SESSION)
    assert session.status == PhotoSession.Status.SELECTION_SUBMITTED
    stems = [PurePath(n).stem for n in picked]

    # --- 2. The photographer reads the picks and starts the retouching. -------------------
    page.goto("/admin/")
    log_in(page, "photo@booke.test")
    type_the_code(page, "photo@booke.test")  # the demo's key, seeded with the password
    expect(page).to_have_url(re.compile(r"/admin/$"))
    open_studio(page)
    picks = page.locator("#picks")
    rows = picks.locator("tr.bo-picked")
    expect(rows).to_have_count(3)
    for name in picked:
        expect(picks.locator("tbody")).to_contain_text(name)
    expect(picks.locator("tr.bo-picked", has_text=picked[2]).locator(".bo-comment")).to_have_text(
        COMMENT
    )
    search = page.get_by_label("Recherche par nom de fichier pour Lightroom")
    expect(search).to_have_value(", ".join(sorted(stems, key=str.lower)))
    assert set(search.input_value().split(", ")) == set(stems)

    with page.expect_download() as download_info:
        picks.get_by_role("link", name="Télécharger les choix (.csv)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-picks.csv")
    rows_csv = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
    assert sorted(r["filename"] for r in rows_csv if r["picked"] == "yes") == sorted(picked)
    assert {r["stem"] for r in rows_csv} == set(stems)
    assert next(r for r in rows_csv if r["filename"] == picked[2])["comment"] == COMMENT

    page.get_by_role("button", name=re.compile(r"Lancer la retouche \(3 photos\)")).click()
    expect(page.locator(".messagelist")).to_contain_text("3 retouches créées")
    retouching = page.locator("#retouching")
    expect(retouching.locator("tbody tr")).to_have_count(3)
    expect(retouching).to_contain_text(COMMENT)

    retouching.get_by_role("link", name="Confier et relire dans Retouches").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    run_action_on_all(page, "assign_to_retoucher")
    expect(page.locator(".bo-object-list li")).to_have_count(3)
    page.locator("#id_retoucher").select_option(label="Inès Roux")
    page.get_by_role("button", name="Confier", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("3 retouches confiées à Inès Roux")
    expect(page.locator("#result_list tbody")).to_contain_text("Inès Roux")

    # --- 3. The retoucher drops the finals, and one file that matches nothing. ------------
    retoucher_context = browser.new_context(
        base_url=serial_live_server.url, viewport={"width": 1280, "height": 900}, locale="fr-FR"
    )
    retoucher_context.set_default_timeout(15_000)
    try:
        retoucher = retoucher_context.new_page()
        retoucher.goto("/admin/")
        log_in(retoucher, "retouche@booke.test")
        type_the_code(retoucher, "retouche@booke.test")
        retoucher.locator(".bo-shortcuts").get_by_role(
            "link", name=re.compile(r"^Mes retouches")
        ).click()
        my_jobs = retoucher.locator("#my-jobs")
        expect(my_jobs.locator("tbody tr")).to_have_count(3)
        expect(my_jobs).to_contain_text(COMMENT)

        finals = [
            make_final(tmp_path / f"{stem}-edit.jpg", (40 * i + 60, 120, 200 - 30 * i))
            for i, stem in enumerate(stems)
        ]
        stray = make_final(tmp_path / "holiday.jpg", (10, 200, 10))
        retoucher.locator("#my-finals input[type=file]").set_input_files([*finals, stray])

        summary = retoucher.locator("#my-finals .bo-upload-summary")
        expect(summary).to_be_visible()
        expect(summary.locator(".bo-summary-line")).to_contain_text("Rattachés : 3")
        expect(summary.locator(".bo-summary-line")).to_contain_text("NON rattachés : 1")
        expect(summary.locator(".bo-matched li")).to_have_count(3)
        for stem, name in zip(stems, picked, strict=True):
            expect(summary.locator(".bo-matched")).to_contain_text(f"{stem}-edit.jpg → {name}")
        expect(summary.locator(".bo-unmatched li")).to_have_text(["holiday.jpg"])

        # The fresh list shows the jobs in review, each with its final.
        summary.get_by_role("button", name="Actualiser la liste").click()
        for stem in stems:
            expect(my_jobs).to_contain_text(f"{stem}-edit.jpg")
        expect(my_jobs.locator(".bo-job-in_review")).to_have_count(3)
    finally:
        retoucher_context.close()

    # --- 4. The photographer approves the retouches and delivers. --------------------------
    open_studio(page)
    retouching.get_by_role("link", name="Confier et relire dans Retouches").click()
    expect(page.locator("#result_list .bo-job-in_review")).to_have_count(3)
    run_action_on_all(page, "approve")
    expect(page.locator(".messagelist")).to_contain_text("3 retouches validées")
    expect(page.locator("#result_list .bo-job-done")).to_have_count(3)

    open_studio(page)
    expect(page.locator("#retouching")).to_contain_text("3 sur 3 retouches validées")
    page.get_by_label("Message au client (facultatif)").fill("Voici vos photos, merci !")
    page.get_by_role("button", name="Livrer au client").click()
    expect(page.locator(".messagelist")).to_contain_text("Livrée")
    expect(page.locator("#delivery")).to_be_visible()

    # --- 5. The client downloads everything as one ZIP. -----------------------------------
    phone.locator(".account-nav").get_by_role("link", name="Mon espace").click()
    phone.get_by_role("link", name=re.compile(SESSION)).click()
    delivery = phone.locator(".delivery")
    expect(delivery).to_contain_text("Voici vos photos, merci !")
    expect(delivery.locator(".delivered-photo")).to_have_count(3)
    with phone.expect_download() as download_info:
        delivery.get_by_role("link",
                             name=re.compile(r"Télécharger les 3 photos en HD \(ZIP")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as archive:
        entries = archive.namelist()
        assert sorted(entries) == sorted(f"{stem}.jpg" for stem in stems)
        for entry in entries:
            with Image.open(io.BytesIO(archive.read(entry))) as img:
                assert img.format == "JPEG"

    logs = DownloadLog.objects.filter(delivery__session=session)
    assert logs.count() == 1
    log = logs.get()
    assert log.final is None  # the whole ZIP
    assert log.user.email == "client@booke.test"
