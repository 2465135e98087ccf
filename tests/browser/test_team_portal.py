"""The team portal end to end (issue 18's "Done means"): a company's admin invites two
colleagues; each accepts and picks their headshot on a phone; the member's submit is refused,
the approver submits; the admin orders prints on invoice with a purchase-order number, over
the company's threshold, so the approver approves; the admin downloads the invoice and reads
the activity log."""

from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from oscar.core.loading import get_model
from playwright.sync_api import Page, expect

from booker.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_csp_violation, watch_csp
from tests.browser.test_shop_checkout import add_print_to_basket, fill_shipping_address

Order = get_model("order", "Order")
PASSWORD = "Notre-Equipe-Photo-2027"


def _shot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("BOOKE_SHOTS")
    if keep:  # a person looks at them (docs: walk the day in a browser)
        shutil.copy(path, Path(keep) / path.name)


def _phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390,
                                  "height": 844}, is_mobile=True, has_touch=True,
                                  locale="fr-FR")
    context.set_default_timeout(15_000)
    return context, watch_csp(context), context.new_page()


def _link(email: str, pattern: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [email] and re.search(pattern, m.body)]
    return re.search(rf"https?://\S+?({pattern}\S*)", message.body).group(1)


def _no_overflow(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_company_runs_its_team_from_invitation_to_invoice(
        page, browser, demo, serial_live_server, settings, tmp_path):
    from booker import services
    from booker.models import Company, Membership, PhotoSession, Rush, User
    from tests.booker.factories_studio import proofing_session

    settings.STRIPE_SECRET_KEY = ""
    acme = Company.objects.get(name="Acme Industries")
    Company.objects.filter(pk=acme.pk).update(order_approval_threshold=Decimal("10.00"))

    # The admin (the office manager) invites two colleagues from the team page.
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("office@acme.test")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"/portal/entreprise/{acme.slug}/equipe/")
    for email, role in (("ines@acme.test", "approver"), ("noe@acme.test", "member")):
        page.locator("#id_email").fill(email)
        page.locator("#id_role").select_option(role)
        page.locator(".invite-form button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text(email)
    _shot(page, tmp_path, "team-01-invited")

    # Each accepts on their phone: a name, a password, and they are in the company's space.
    phones = {}
    for email, first, last in (("ines@acme.test", "Inès", "Roussel"),
                               ("noe@acme.test", "Noé", "Garnier")):
        context, violations, phone = _phone(browser, serial_live_server)
        phones[email] = (context, violations, phone)
        phone.goto(_link(email, "/accounts/equipe/"))
        phone.locator("#id_first_name").fill(first)
        phone.locator("#id_last_name").fill(last)
        phone.locator("#id_new_password1").fill(PASSWORD)
        phone.locator("#id_new_password2").fill(PASSWORD)
        phone.locator("main form button[type=submit]").click()
        expect(phone).to_have_url(re.compile(rf"/portal/entreprise/{acme.slug}/$"))
        expect(phone.locator("main")).to_contain_text("Acme Industries")
        _no_overflow(phone)
    _shot(phones["noe@acme.test"][2], tmp_path, "team-02-joined-phone")
    ines, noe = User.objects.get(email="ines@acme.test"), User.objects.get(email="noe@acme.test")
    assert Membership.objects.get(user=ines, company=acme).role == "approver"
    assert Membership.objects.get(user=noe, company=acme).role == "member"

    # The headshot day is shot: two portraits of each, one to keep each (the quota).
    session = proofing_session(4, quota=1, company=acme, title="Portraits Acme 2027")
    rushes = list(session.rushes.order_by("original_filename"))
    Rush.objects.filter(pk__in=[r.pk for r in rushes[:2]]).update(sitter=ines)
    Rush.objects.filter(pk__in=[r.pk for r in rushes[2:]]).update(sitter=noe)

    # Noé picks his on the phone; he sees his two portraits only, and may not send.
    phone = phones["noe@acme.test"][2]
    phone.goto(f"/portal/sessions/{session.pk}/")
    expect(phone.locator(".pick-form button.heart")).to_have_count(2)
    phone.locator(".pick-form button.heart").first.click()
    expect(phone.locator(".pick-form button.heart").first).to_have_attribute("aria-pressed", "true")
    _no_overflow(phone)
    _shot(phone, tmp_path, "team-03-member-picks-phone")
    phone.goto(f"/portal/sessions/{session.pk}/submit/")
    expect(phone.locator(".messages")).to_contain_text("un valideur")
    _shot(phone, tmp_path, "team-04-member-submit-refused-phone")
    session.refresh_from_db()
    assert session.status == PhotoSession.Status.PROOFING

    # Inès picks hers and, an approver, sends the team's selection to the studio.
    phone = phones["ines@acme.test"][2]
    phone.goto(f"/portal/sessions/{session.pk}/")
    phone.locator(".pick-form button.heart").first.click()
    expect(phone.locator(".pick-form button.heart").first).to_have_attribute("aria-pressed", "true")
    phone.goto(f"/portal/sessions/{session.pk}/submit/")
    phone.locator(".submit-actions button[type=submit]").click()
    expect(phone.locator(".messages")).to_contain_text("studio")
    _shot(phone, tmp_path, "team-05-approver-submitted-phone")
    session.refresh_from_db()
    assert session.status == PhotoSession.Status.SELECTION_SUBMITTED
    assert session.selection.submitted_by == ines

    # The admin orders a print on invoice with the company's purchase-order number: above the
    # threshold, the order waits for an approver.
    add_print_to_basket(page)
    fill_shipping_address(page)
    page.locator("input[name=method][value=invoice]").check()
    page.locator("#id_po_number").fill("PO-ACME-2027-01")
    page.locator("#payment-method-continue").click()
    expect(page.locator("#preview-payment")).to_contain_text("PO-ACME-2027-01")
    page.locator("#place-order").click()
    expect(page).to_have_url(re.compile(r"/shop/approbations/\d+/$"))
    _shot(page, tmp_path, "team-06-order-waits")
    assert not Order.objects.exists()

    # Inès approves from the email she received: the order is placed on invoice.
    phone.goto(_link("ines@acme.test", "/shop/approbations/"))
    phone.locator("#approve").click()
    expect(phone.locator(".messages, .alert").first).to_be_visible()
    _shot(phone, tmp_path, "team-07-approved-phone")
    order = Order.objects.get()
    assert order.user.email == "office@acme.test"
    assert order.invoice.po_number == "PO-ACME-2027-01"
    assert order.invoice.company == acme

    # The admin downloads the invoice and reads who did what.
    page.goto(f"/shop/accounts/orders/{order.number}/")
    with page.expect_download() as download:
        page.locator("#invoice-download").click()
    pdf = open(download.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF") and f"Facture {order.invoice.number}".encode() in pdf
    page.goto(f"/portal/entreprise/{acme.slug}/activite/")
    log = page.locator("main")
    expect(log).to_contain_text("Noé Garnier")
    expect(log).to_contain_text("a choisi")
    expect(log).to_contain_text("Inès Roussel")
    expect(log).to_contain_text("Commande approuvée")
    expect(log).not_to_contain_text("order.")  # every event in the studio's words
    _shot(page, tmp_path, "team-08-activity")
    for context, violations, _phone_page in phones.values():
        context.close()
        assert_no_csp_violation(violations)
    assert services  # the studio's services made the session above
