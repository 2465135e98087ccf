"""Issue 19 on a phone: the client of a package where they approve the finals sees the
retouches the studio sent them (the finals themselves, never the watermarked proofs), in
French, approves one and asks a change on the other with a comment."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_booker_paths import log_in


def _shot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("BOOKE_SHOTS")
    if keep:  # a person looks at them
        shutil.copy(path, Path(keep) / path.name)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_client_approves_one_final_and_returns_the_other_on_a_phone(phone, tmp_path):
    from django.urls import reverse

    from booker import services
    from booker.models import RetouchJob
    from tests.booker.test_client_approval import approval_session, jobs_of
    from tests.factories import PASSWORD

    session, photographer, client = approval_session()
    services.send_finals_for_approval(session, actor=photographer)
    first, second = jobs_of(session)

    phone.goto("/accounts/login/")
    log_in(phone, client.email, PASSWORD)
    phone.goto(reverse("portal:session", args=[session.pk]))
    section = phone.locator("#approval")
    expect(section.get_by_role("heading", name="Vos photos retouchées à valider")).to_be_visible()
    images = section.locator("[data-approval] img")
    expect(images).to_have_count(2)
    sources = images.evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))")
    assert sources == [reverse("portal:final-screen", args=[j.final.pk]) for j in (first, second)]
    # A function with the images as its argument, never a string to evaluate: the page's
    # Content-Security-Policy refuses eval while the condition is polled.
    phone.wait_for_function("imgs => imgs.every(i => i.complete && i.naturalWidth > 0)",
                            arg=images.element_handles())
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    _shot(phone, tmp_path, "approval-phone")

    item = section.locator(f"#final-{second.final.pk}")
    item.get_by_text("Demander une modification").click()
    item.get_by_label("Que faut-il changer ?").fill("Un peu moins de contraste")
    item.get_by_role("button", name="Envoyer mon commentaire").click()
    expect(phone.get_by_text("Votre commentaire est envoyé")).to_be_visible()

    phone.locator(f"#final-{first.final.pk}").get_by_role(
        "button", name="Valider cette photo").click()
    expect(phone.get_by_text("Photo validée.")).to_be_visible()
    expect(phone.locator(f"#final-{first.final.pk}").get_by_text("Validée")).to_be_visible()
    expect(phone.get_by_text("Un peu moins de contraste")).to_be_visible()
    _shot(phone, tmp_path, "approval-answered-phone")

    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == RetouchJob.Status.CHANGES_REQUESTED and second.review_by_client
    assert first.client_approved_version == first.final.version
