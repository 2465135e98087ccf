"""Issue 19's day, clicked end to end: the retoucher downloads the original of their job and
uploads a final; the photographer reviews it beside its proof and returns it with a word; the
second version is approved and delivered; the client sees it without watermark, orders a print
framed on that final, and shares a view-only link that a logged-out visitor opens.

Every step goes through the real pages; the database is only read, to check what they did."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.test_booker_paths import log_in
from tests.browser.test_delivered_share import _shot as shot
from tests.browser.test_shop_prints import catalogue, image_loaded  # noqa: F401 -- a fixture
from tests.factories import PASSWORD
from tests.otp import confirmed_device, type_the_code

NOTE = "Le ciel est trop bleu, adoucir"


def staff_login(page: Page, user, url: str) -> None:
    page.goto(url)
    log_in(page, user.email, PASSWORD)
    type_the_code(page, user)
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))


def final_file(path: Path, colour: tuple[int, int, int]) -> Path:
    # Portrait, unlike the rush's landscape proof: the print must be framed on the final.
    Image.new("RGB", (400, 600), colour).save(path, "JPEG", quality=90)
    return path


def upload_final(page: Page, path: Path, rush_name: str) -> None:
    page.goto("/admin/booker/retouchjob/mine/")
    page.locator("#my-finals input[type=file]").set_input_files([path])
    summary = page.locator("#my-finals .bo-upload-summary")
    expect(summary.locator(".bo-matched")).to_contain_text(f"{path.name} → {rush_name}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_final_goes_from_the_retoucher_through_review_to_the_client_a_print_and_family(
        page, phone, browser, serial_live_server, catalogue, settings, tmp_path):  # noqa: F811
    from booker import roles, services
    from booker.models import FinalPhoto, FinalVersion, RetouchJob, ShareLink
    from tests.booker.factories_studio import retouching_session
    from tests.factories import user_with_role

    settings.STRIPE_SECRET_KEY = ""
    photographer = user_with_role(roles.PHOTOGRAPHER, email="hugo@studio.test")
    retoucher = user_with_role(roles.RETOUCHER, email="ines@studio.test")
    session, [job] = retouching_session(n=3, picks={1: "Éclaircir le visage"}, quota=1)
    session.photographer = photographer
    session.save(update_fields=["photographer"])
    services.assign_jobs([job], retoucher, actor=photographer)
    for person in (photographer, retoucher):
        confirmed_device(person)  # staff log in with their authenticator app
    rush = job.rush
    with rush.original.open("rb") as handle:
        original_bytes = handle.read()

    # --- 1. The retoucher downloads the original and uploads a first final. ----------------
    retoucher_context = browser.new_context(base_url=serial_live_server.url, locale="fr-FR",
                                            viewport={"width": 1280, "height": 900},
                                            accept_downloads=True)
    retoucher_context.set_default_timeout(15_000)
    desk = retoucher_context.new_page()
    staff_login(desk, retoucher, "/admin/booker/retouchjob/mine/")
    my_jobs = desk.locator("#my-jobs")
    expect(my_jobs).to_contain_text("Éclaircir le visage")
    with desk.expect_download() as got:
        my_jobs.locator("a.bo-original").click()
    assert got.value.suggested_filename == rush.original_filename
    assert Path(got.value.path()).read_bytes() == original_bytes
    upload_final(desk, final_file(tmp_path / f"{rush.stem}-edit.jpg", (200, 90, 60)),
                 rush.original_filename)

    # --- 2. The photographer reviews it beside its proof and returns it. ------------------
    staff_login(page, photographer, "/admin/booker/retouchjob/a-valider/")
    card = page.locator(f"#job-{job.pk}")
    expect(card.locator("figure")).to_have_count(2)
    proof, final = card.locator("figure img").nth(0), card.locator("figure img").nth(1)
    assert image_loaded(page, proof) and image_loaded(page, final)
    assert final.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [400, 600]
    expect(card.get_by_role("link", name="Voir à 100 %")).to_be_visible()
    shot(page, tmp_path, "review-side-by-side")
    card.get_by_label("Ce qu’il faut changer (pour un renvoi)").fill(NOTE)
    card.get_by_role("button", name="Renvoyer au retoucheur").click()
    expect(page.locator(f"#job-{job.pk}")).to_have_count(0)
    assert RetouchJob.objects.get(pk=job.pk).review_note == NOTE

    # --- 3. The retoucher reads why and uploads version 2; version 1 is kept. -------------
    desk.goto("/admin/booker/retouchjob/mine/")
    expect(desk.locator("#my-jobs .bo-returned")).to_contain_text(NOTE)
    upload_final(desk, final_file(tmp_path / f"{rush.stem}-edit.jpg", (150, 110, 90)),
                 rush.original_filename)
    retoucher_context.close()

    # --- 4. Version 2 is approved, and the session delivered. -----------------------------
    page.goto("/admin/booker/retouchjob/a-valider/")
    card = page.locator(f"#job-{job.pk}")
    expect(card.locator("figcaption").nth(1)).to_contain_text("version 2")
    expect(card.locator(".bo-versions summary")).to_contain_text("1 version antérieure")
    card.get_by_role("button", name="Approuver").click()
    expect(page.locator(f"#job-{job.pk}")).to_have_count(0)
    final_photo = FinalPhoto.objects.get(job=job)
    assert final_photo.version == 2 and FinalVersion.objects.filter(job=job).count() == 1
    page.goto(f"/admin/booker/photosession/{session.pk}/studio/")
    page.get_by_role("button", name="Livrer au client").click()
    expect(page.locator(".messagelist")).to_contain_text("Livrée")

    # --- 5. The client sees it without watermark, on a phone, and orders a print of it. ---
    phone.goto(f"/portal/sessions/{session.pk}/")
    log_in(phone, session.client.email, PASSWORD)
    shown = phone.locator("[data-delivered] img")
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("src", f"/portal/finals/{final_photo.pk}/ecran.jpg")
    assert image_loaded(phone, shown)
    shot(phone, tmp_path, "delivered-phone")
    phone.get_by_role("link", name="Commander un tirage").click()
    tool = phone.locator("[data-crop-image]")
    expect(tool).to_have_attribute("src", f"/portal/finals/{final_photo.pk}/ecran.jpg")
    assert image_loaded(phone, tool)
    assert tool.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [400, 600]
    expect(phone.get_by_label("Portrait")).to_be_checked()  # the final's shape, not the proof's
    shot(phone, tmp_path, "print-on-final-phone")
    phone.get_by_role("button", name="Ajouter au panier").click()
    expect(phone).to_have_url(re.compile(r"/shop/basket/$"))

    # --- 6. A view-only link for the family, opened by someone logged out. ----------------
    phone.goto(f"/portal/sessions/{session.pk}/")
    phone.get_by_role("button", name="Créer un lien de partage").click()
    share_url = phone.locator("[data-share-url]").input_value()
    assert ShareLink.objects.filter(session=session, revoked_at__isnull=True).count() == 1
    family = browser.new_context(base_url=serial_live_server.url, locale="fr-FR",
                                 viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        visitor = family.new_page()
        assert visitor.goto(share_url).status == 200
        photo = visitor.locator("[data-delivered] img")
        expect(photo).to_have_count(1)
        assert image_loaded(visitor, photo)
        expect(visitor.get_by_text("Télécharger")).to_have_count(0)
        shot(visitor, tmp_path, "family-link-phone")
    finally:
        family.close()
