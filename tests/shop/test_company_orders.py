"""A company's orders on invoice (issue 18): above the company's threshold a member's order
waits for an approver, who approves it (placed on invoice with its PO number, the member its
customer) or refuses it (the basket goes back); credit notes cancel invoices, numbered on
their own; who downloads them; the company dashboard's panels and spend."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from booker import roles
from booker.events import Event
from booker.models import Membership, SessionEvent
from booker.teams.panels import company_panels
from shop.payments import invoice_pdf, panels, services
from shop.payments.models import CreditNote, OrderApproval, PaymentMethod
from tests.factories import CompanyFactory, MembershipFactory, user_with_role
from tests.shop import checkout_flow as flow
from tests.shop.test_invoice_payment import pdf_text

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")

YEAR = timezone.localdate().year
# One print: 24,00 € with VAT (tests/shop/checkout_flow.py), shipping free.
ONE_PRINT = Decimal("24.00")


@pytest.fixture
def product(db):
    return flow.a_print()


@pytest.fixture
def acme(db):
    return CompanyFactory(
        name="Acme", legal_name="Acme Industries SAS", address="12 rue de la Paix\n75002 Paris",
        billing_email="compta@acme.test", order_approval_threshold=Decimal("50.00"),
    )


def member_of(company, role=Membership.Role.MEMBER):
    return MembershipFactory(company=company, role=role).user


@pytest.fixture
def member(acme):
    return member_of(acme)


@pytest.fixture
def approver(acme):
    return member_of(acme, Membership.Role.APPROVER)


@pytest.fixture
def admin(acme):
    return member_of(acme, Membership.Role.ADMIN)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def order_on_invoice(client, product, quantity: int, po_number="PO-2026-900"):
    """Fills the basket and places it on invoice; returns the "place order" response."""
    flow.fill_basket(client, product, quantity)
    flow.to_payment_method(client)
    chosen = flow.choose(client, PaymentMethod.INVOICE, po_number=po_number)
    assert chosen.status_code == 302, chosen.content
    return flow.place(client)


def waiting(client, product, capture, quantity=3) -> OrderApproval:
    flow.fill_basket(client, product, quantity)
    flow.to_payment_method(client)
    flow.choose(client, PaymentMethod.INVOICE, po_number="PO-2026-900")
    preview = client.get(reverse("checkout:preview")).content.decode()
    assert 'id="needs-approval"' in preview and "seuil d'approbation de Acme" in preview
    with capture(execute=True):
        response = flow.place(client)
    approval = OrderApproval.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:approval", args=[approval.pk])
    return approval


# --- The threshold ---------------------------------------------------------------------------


def test_a_member_s_order_below_the_threshold_is_placed_at_once(product, member, acme):
    client = logged_in(member)
    flow.fill_basket(client, product, 2)  # 48 € ≤ 50 €
    flow.to_payment_method(client)
    flow.choose(client, PaymentMethod.INVOICE, po_number="PO-2026-900")
    assert 'id="needs-approval"' not in client.get(reverse("checkout:preview")).content.decode()
    response = flow.place(client)

    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.invoice.company == acme and order.invoice.po_number == "PO-2026-900"
    assert not OrderApproval.objects.exists()


def test_a_member_s_order_above_the_threshold_waits_and_the_approvers_are_told(
    product, member, approver, admin, acme, django_capture_on_commit_callbacks
):
    other = member_of(acme)  # a plain member is not asked
    client = logged_in(member)

    approval = waiting(client, product, django_capture_on_commit_callbacks)

    assert not Order.objects.exists()
    assert approval.state == OrderApproval.State.PENDING
    assert approval.amount == 3 * ONE_PRINT and approval.po_number == "PO-2026-900"
    assert approval.requester == member and approval.company == acme
    assert Basket.objects.get(pk=approval.basket_id).status == Basket.FROZEN
    asked = sorted(m.to[0] for m in mail.outbox)
    assert asked == sorted([approver.email, admin.email]) and other.email not in asked
    assert all("à approuver" in m.subject for m in mail.outbox)
    assert reverse("payments:approval", args=[approval.pk]) in mail.outbox[0].body
    event = SessionEvent.objects.get(name=Event.ORDER_APPROVAL_REQUESTED)
    assert event.payload["company"] == acme.pk
    # The member's basket is empty meanwhile; their page says it waits.
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 0
    page = client.get(reverse("payments:approval", args=[approval.pk])).content.decode()
    assert "doit approuver cette commande" in page and 'id="approve"' not in page


def test_an_approver_approves_and_the_order_is_placed_on_invoice_with_the_po_number(
    product, member, approver, acme, django_capture_on_commit_callbacks
):
    approval = waiting(logged_in(member), product, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    client = logged_in(approver)
    assert 'id="approve"' in client.get(
        reverse("payments:approval", args=[approval.pk])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("payments:approval", args=[approval.pk]),
                               {"action": "approve"})

    assert response.status_code == 302
    order = Order.objects.get()
    approval.refresh_from_db()
    assert approval.state == OrderApproval.State.APPROVED and approval.order == order
    assert approval.decided_by == approver
    assert order.user == member and order.number == approval.order_number
    assert order.total_incl_tax == 3 * ONE_PRINT
    assert order.status == settings.ORDER_AWAITING_PAYMENT
    assert order.invoice.po_number == "PO-2026-900" and order.invoice.company == acme
    assert order.payment_choice.method == PaymentMethod.INVOICE
    assert Basket.objects.get(pk=approval.basket_id).status == Basket.SUBMITTED
    assert "PO-2026-900" in pdf_text(invoice_pdf.render(order.invoice))
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "approuvée" in subjects[member.email]
    assert SessionEvent.objects.filter(name=Event.ORDER_APPROVED,
                                       payload__company=acme.pk).exists()
    # Decided once: a second approval places nothing more.
    with pytest.raises(services.ApprovalError):
        services.approve_order(approval, actor=approver)
    assert Order.objects.count() == 1


def test_an_approver_refuses_with_a_reason_and_the_basket_goes_back_to_the_member(
    product, member, approver, django_capture_on_commit_callbacks
):
    member_client = logged_in(member)
    approval = waiting(member_client, product, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    url = reverse("payments:approval", args=[approval.pk])
    client = logged_in(approver)

    no_reason = client.post(url, {"action": "refuse", "reason": " "})
    assert no_reason.status_code == 302
    approval.refresh_from_db()
    assert approval.state == OrderApproval.State.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "refuse", "reason": "Budget du trimestre épuisé"})

    approval.refresh_from_db()
    assert approval.state == OrderApproval.State.REFUSED
    assert approval.reason == "Budget du trimestre épuisé"
    assert not Order.objects.exists()
    [told] = mail.outbox
    assert told.to == [member.email] and "Budget du trimestre épuisé" in told.body
    basket = member_client.get(reverse("basket:summary")).context["basket"]
    assert basket.num_items == 3
    assert "Budget du trimestre épuisé" in member_client.get(url).content.decode()

    # The member trims the basket and asks again; this time the approver approves.
    line = basket.all_lines()[0]
    line.quantity = 1
    line.save()
    flow.fill_basket(member_client, product, 2)  # 3 prints: 72 €, above the threshold
    flow.to_payment_method(member_client)
    flow.choose(member_client, PaymentMethod.INVOICE, po_number="PO-2026-901")
    assert flow.place(member_client).status_code == 302
    again = OrderApproval.objects.get(state=OrderApproval.State.PENDING)
    order = services.approve_order(again, actor=approver)
    assert order.invoice.po_number == "PO-2026-901" and order.total_incl_tax == 3 * ONE_PRINT


def test_the_member_withdraws_a_waiting_order_and_gets_the_basket_back(
    product, member, approver, django_capture_on_commit_callbacks
):
    client = logged_in(member)
    approval = waiting(client, product, django_capture_on_commit_callbacks)
    url = reverse("payments:approval", args=[approval.pk])
    page = client.get(url).content.decode()
    assert 'id="withdraw"' in page and "3 quai Saint-Antoine" in page
    # The approver cannot withdraw it for the member.
    assert 'id="withdraw"' not in logged_in(approver).get(url).content.decode()
    with pytest.raises(services.ApprovalError):
        services.withdraw_approval(approval, actor=approver)

    response = client.post(url, {"action": "withdraw"})

    assert response["Location"] == reverse("basket:summary")
    approval.refresh_from_db()
    assert approval.state == OrderApproval.State.WITHDRAWN
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 3
    with pytest.raises(services.ApprovalError):
        services.approve_order(approval, actor=approver)
    assert not Order.objects.exists()


def test_an_approver_s_own_order_above_the_threshold_is_placed_at_once(product, approver):
    response = order_on_invoice(logged_in(approver), product, 5)

    assert response["Location"] == reverse("checkout:thank-you")
    assert Order.objects.get().total_incl_tax == 5 * ONE_PRINT
    assert not OrderApproval.objects.exists()


def test_an_admin_s_order_above_the_threshold_waits_for_the_approver_not_for_themselves(
    product, admin, approver, django_capture_on_commit_callbacks
):
    client = logged_in(admin)
    approval = waiting(client, product, django_capture_on_commit_callbacks)

    # Only the approver is asked; the admin cannot approve their own order.
    assert [m.to for m in mail.outbox] == [[approver.email]]
    assert 'id="approve"' not in client.get(
        reverse("payments:approval", args=[approval.pk])).content.decode()
    assert client.post(reverse("payments:approval", args=[approval.pk]),
                       {"action": "approve"}).status_code == 404
    with pytest.raises(services.ApprovalError):
        services.approve_order(approval, actor=admin)
    order = services.approve_order(approval, actor=approver)
    assert order.user == admin and order.invoice.po_number == "PO-2026-900"


def test_an_admin_with_nobody_to_approve_orders_at_once(product, admin):
    response = order_on_invoice(logged_in(admin), product, 5)

    assert response["Location"] == reverse("checkout:thank-you")
    assert not OrderApproval.objects.exists()


def test_without_a_threshold_no_order_waits(product, member, acme):
    acme.order_approval_threshold = None
    acme.save()

    response = order_on_invoice(logged_in(member), product, 5)

    assert response["Location"] == reverse("checkout:thank-you")


def test_only_the_company_s_approvers_decide_not_another_company_s_nor_the_member(
    product, member, django_capture_on_commit_callbacks
):
    approval = waiting(logged_in(member), product, django_capture_on_commit_callbacks)
    url = reverse("payments:approval", args=[approval.pk])
    globex = CompanyFactory(name="Globex")
    strangers = [
        member_of(globex, Membership.Role.APPROVER),
        member_of(globex, Membership.Role.ADMIN),
        user_with_role(roles.SHOP_MANAGER),
    ]
    for stranger in strangers:
        client = logged_in(stranger)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "approve"}).status_code == 404
    # The member who asked sees it, and cannot approve it.
    assert logged_in(member).post(url, {"action": "approve"}).status_code == 404
    with pytest.raises(services.ApprovalError):
        services.approve_order(approval, actor=strangers[0])
    approval.refresh_from_db()
    assert approval.state == OrderApproval.State.PENDING and not Order.objects.exists()


def test_a_basket_whose_price_moved_is_not_placed_on_approval_but_given_back(
    product, member, approver, django_capture_on_commit_callbacks
):
    approval = waiting(logged_in(member), product, django_capture_on_commit_callbacks)
    record = product.stockrecords.get()
    record.price = Decimal("30.00")
    record.save()
    mail.outbox.clear()

    with pytest.raises(services.ApprovalError), django_capture_on_commit_callbacks(
        execute=True
    ):
        services.approve_order(approval, actor=approver)

    approval.refresh_from_db()
    assert approval.state == OrderApproval.State.STALE
    assert Basket.objects.get(pk=approval.basket_id).status == Basket.OPEN
    assert not Order.objects.exists()
    [told] = mail.outbox
    # 3 prints at 30 € (typed TTC): the new total, said.
    assert told.to == [member.email] and "90,00 €" in told.body


def test_a_member_removed_meanwhile_gets_nothing_ordered_for_the_company(
    product, member, approver, acme, django_capture_on_commit_callbacks
):
    approval = waiting(logged_in(member), product, django_capture_on_commit_callbacks)
    Membership.objects.filter(company=acme, user=member).delete()

    with pytest.raises(services.ApprovalError):
        services.approve_order(approval, actor=approver)

    approval.refresh_from_db()
    assert approval.state == OrderApproval.State.STALE and not Order.objects.exists()


# --- Credit notes ------------------------------------------------------------------------------


def placed_on_invoice(user, product, quantity=1) -> Order:
    response = order_on_invoice(logged_in(user), product, quantity)
    assert response["Location"] == reverse("checkout:thank-you")
    return Order.objects.order_by("-pk").first()


def test_cancelling_an_invoiced_order_issues_a_credit_note_of_what_is_left_numbered_on_its_own(
    product, member, django_capture_on_commit_callbacks
):
    first = placed_on_invoice(member, product, 2)
    second = placed_on_invoice(member, product, 1)

    first.set_status(settings.ORDER_CANCELLED)  # the dashboard's status change
    first.set_status(settings.ORDER_CANCELLED)  # heard twice: one note
    partial = services.issue_credit_note(second.invoice, Decimal("10.00"), reason="Geste")
    second.set_status(settings.ORDER_CANCELLED)

    notes = list(CreditNote.objects.order_by("number"))
    assert [n.number for n in notes] == [f"AV-{YEAR}-0001", f"AV-{YEAR}-0002",
                                         f"AV-{YEAR}-0003"]
    assert notes[0].invoice == first.invoice and notes[0].amount == 2 * ONE_PRINT
    assert partial.amount == Decimal("10.00")
    assert notes[2].amount == ONE_PRINT - Decimal("10.00")  # never more than the invoice
    assert first.invoice.number.startswith("FA-")  # invoices keep their own series
    assert SessionEvent.objects.filter(name=Event.CREDIT_NOTE_ISSUED).count() == 3


def test_the_customer_and_the_accounts_department_receive_the_credit_note(
    product, member, django_capture_on_commit_callbacks
):
    order = placed_on_invoice(member, product, 2)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        order.set_status(settings.ORDER_CANCELLED)

    note = CreditNote.objects.get()
    told = {m.to[0]: m for m in mail.outbox}
    assert set(told) == {member.email, "compta@acme.test"}
    for message in told.values():
        assert message.subject == f"Avoir {note.number} sur la facture {order.invoice.number}"
        assert reverse("payments:credit-note", args=[note.pk]) in message.body
        assert "48,00" in message.body


def test_the_credit_note_pdf_names_its_invoice_and_amount(product, member):
    order = placed_on_invoice(member, product, 2)
    note = services.issue_credit_note(order.invoice, None, reason="Commande annulée")

    text = pdf_text(invoice_pdf.render_credit_note(note))

    for mention in (note.number, order.invoice.number, "48,00", "40,00", "8,00",
                    "Commande annul", "Acme Industries SAS"):
        assert mention in text, mention
    assert "Avoir " + note.number in pdf_text(invoice_pdf.render(order.invoice))


def test_who_reads_the_invoice_downloads_its_credit_notes_nobody_else(
    product, member, approver, acme
):
    order = placed_on_invoice(member, product)
    note = services.issue_credit_note(order.invoice, None, reason="Annulée")
    url = reverse("payments:credit-note", args=[note.pk])
    allowed = [member, approver, user_with_role(roles.SHOP_MANAGER)]
    refused = [member_of(acme), member_of(CompanyFactory(), Membership.Role.ADMIN),
               user_with_role(None)]

    for user in allowed:
        response = logged_in(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert note.number in response["Content-Disposition"]
    for user in refused:
        assert logged_in(user).get(url).status_code == 404, user
    assert Client().get(url).status_code == 302  # to the login page
    # The customer's order page links it.
    page = logged_in(member).get(reverse("customer:order", args=[order.number]))
    assert url in page.content.decode()


# --- The company dashboard's panels ----------------------------------------------------------


def test_leads_see_the_company_s_orders_invoices_credit_notes_and_spend_members_their_own(
    product, member, approver, acme, django_capture_on_commit_callbacks
):
    colleague = member_of(acme)
    mine = placed_on_invoice(member, product, 1)
    theirs = placed_on_invoice(colleague, product, 2)
    cancelled = placed_on_invoice(colleague, product, 1)
    cancelled.set_status(settings.ORDER_CANCELLED)
    approval = waiting(logged_in(member), product, django_capture_on_commit_callbacks)
    elsewhere = placed_on_invoice(member_of(CompanyFactory(name="Globex")), product, 1)

    lead = {p.key: p for p in company_panels(acme, approver)}
    rows = " ".join(f"{r.label} {r.status} {r.url} {r.file_url}"
                    for p in lead.values() for r in p.rows)
    assert reverse("payments:approval", args=[approval.pk]) in rows and "à approuver" in rows
    for order in (mine, theirs, cancelled):
        assert order.number in rows and order.invoice.number in rows
    assert elsewhere.number not in rows
    statuses = {r.label: r.status for r in lead["shop-invoices"].rows}
    assert statuses[f"Facture {mine.invoice.number}"] == "à régler"
    assert statuses[f"Facture {cancelled.invoice.number}"] == "annulée"
    [credit] = lead["shop-credit-notes"].rows
    assert credit.file_url == reverse("payments:credit-note",
                                      args=[CreditNote.objects.get().pk])
    # Invoiced 4 prints, one cancelled by its credit note; the waiting order is not spent.
    assert lead["shop-orders"].spent_this_year == 3 * ONE_PRINT

    own = {p.key: p for p in company_panels(acme, member)}
    own_rows = " ".join(f"{r.label} {r.url}" for p in own.values() for r in p.rows)
    assert mine.number in own_rows and theirs.number not in own_rows
    assert reverse("payments:approval", args=[approval.pk]) in own_rows
    assert own["shop-orders"].spent_this_year is None
    assert not [p for p in company_panels(acme, user_with_role(None)) if p.key.startswith("shop")]


def test_an_overdue_unpaid_invoice_says_so_and_a_paid_one_too(product, member):
    order = placed_on_invoice(member, product)
    invoice = order.invoice
    today = timezone.localdate()

    assert panels.invoice_status(invoice, today) == "à régler"
    assert panels.invoice_status(invoice, invoice.due_on.replace(year=invoice.due_on.year + 1)) \
        == "en retard"
    services.record_payment(order, reference="virement")
    invoice.refresh_from_db()
    assert panels.invoice_status(invoice, today) == "payée"


# --- A booking's deposit on invoice -----------------------------------------------------------


def test_a_cancelled_booking_s_invoiced_deposit_gets_a_credit_note_of_what_is_no_longer_due(
    db, django_capture_on_commit_callbacks,
):
    from booker import services as booker
    from tests.shop.test_booking_deposit import invoiced_deposit

    booking, manager, order = invoiced_deposit([{"days_before": 0, "refund_percent": 50}])

    with django_capture_on_commit_callbacks(execute=True):
        booker.cancel_booking(booking, actor=manager)

    [note] = CreditNote.objects.all()
    assert note.invoice == order.invoice and note.amount == Decimal("30.00")
    order.refresh_from_db()
    assert order.status == settings.ORDER_AWAITING_PAYMENT  # the other half is still due
    assert note.number in " ".join(n.message for n in order.notes.all())


def test_the_studio_cancelling_a_booking_credits_its_whole_deposit_invoice_once(
    db, django_capture_on_commit_callbacks,
):
    from booker import services as booker
    from tests.shop.test_booking_deposit import invoiced_deposit

    booking, manager, order = invoiced_deposit([])

    with django_capture_on_commit_callbacks(execute=True):
        booker.cancel_booking(booking, actor=manager, by_studio=True)

    order.refresh_from_db()
    assert order.status == settings.ORDER_CANCELLED
    # The deposit's credit note; the cancellation that follows finds nothing left.
    [note] = CreditNote.objects.all()
    assert note.amount == order.total_incl_tax


def test_cancelling_an_unpaid_deposit_invoice_does_not_leave_its_booking_confirmed(
    db, django_capture_on_commit_callbacks,
):
    from booker.models import Booking
    from tests.shop.test_booking_deposit import invoiced_deposit

    booking, _manager, order = invoiced_deposit([])

    with django_capture_on_commit_callbacks(execute=True):
        order.set_status(settings.ORDER_CANCELLED)  # the dashboard's cancel

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.deposit_paid == 0 and booking.refunded == 0
    [note] = CreditNote.objects.all()
    assert note.amount == order.total_incl_tax
    assert "facture d'acompte a été annulée" in " ".join(n.message for n in order.notes.all())


@pytest.mark.slow  # a fake Stripe server on loopback, paid through the webhook
def test_the_spend_counts_a_company_booking_s_deposit_paid_by_card_less_its_refund(
    db, settings, django_capture_on_commit_callbacks
):
    from booker import services as booker
    from tests import stripe_fake
    from tests.shop.booking_factories import held_booking
    from tests.shop.test_booking_deposit import start_card_payment, stripe_pays

    acme = CompanyFactory(name="Acme", pays_on_invoice=False)
    admin = member_of(acme, Membership.Role.ADMIN)
    booking = held_booking(admin, company=acme)
    with stripe_fake.FakeStripe() as server:
        flow.use_fake_stripe(settings, server)
        order = stripe_pays(server, start_card_payment(logged_in(admin), booking),
                            django_capture_on_commit_callbacks)
        assert panels.spent_this_year(acme) == Decimal("60.00") == order.total_incl_tax
        # Its rows show to the admin; a company that is not its own counts nothing.
        orders = {p.key: p for p in company_panels(acme, admin)}["shop-orders"]
        assert any(order.number in row.label for row in orders.rows)
        assert panels.spent_this_year(CompanyFactory()) == 0

        booking.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            booker.cancel_booking(booking, actor=admin, by_studio=True)

    assert panels.spent_this_year(acme) == Decimal("0.00")


def test_the_shop_manager_reads_credit_notes_and_approvals_in_the_admin_and_edits_none(
    product, member, django_capture_on_commit_callbacks
):
    approval = waiting(logged_in(member), product, django_capture_on_commit_callbacks)
    order = placed_on_invoice(member_of(approval.company, Membership.Role.ADMIN), product)
    note = services.issue_credit_note(order.invoice, None, reason="Annulée")
    staff = logged_in(user_with_role(roles.SHOP_MANAGER))

    for name, obj, shown in (("creditnote", note, note.number),
                             ("orderapproval", approval, approval.order_number)):
        assert shown in staff.get(f"/admin/payments/{name}/").content.decode()
        detail = staff.get(f"/admin/payments/{name}/{obj.pk}/change/")
        assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
        assert staff.post(f"/admin/payments/{name}/{obj.pk}/delete/").status_code == 403
        assert staff.get(f"/admin/payments/{name}/add/").status_code == 403
