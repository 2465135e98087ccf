"""Paying at the studio and on invoice: who may, the purchase-order number, invoices numbered
without gaps with France's legal mentions, who may download them, the shop manager recording
the payment, and the emails that go with each step."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from booker import services as booker
from booker.events import Event
from booker.models import Membership
from shop import notifications
from shop.payments import invoice_pdf, services
from shop.payments.models import Invoice, InvoiceApproval, PaymentMethod
from shop.payments.signals import order_paid
from tests.factories import CompanyFactory, MembershipFactory, UserFactory, user_with_role
from tests.shop import checkout_flow as flow

Order = get_model("order", "Order")

YEAR = timezone.localdate().year


@pytest.fixture
def product(db):
    return flow.a_print()


@pytest.fixture
def acme():
    return CompanyFactory(
        name="Acme",
        legal_name="Acme Industries SAS",
        siret="73282932000074",
        vat_number="FR44732829320",
        address="12 rue de la Paix\n75002 Paris",
        billing_email="compta@acme.test",
    )


@pytest.fixture
def member(acme):
    return MembershipFactory(company=acme, role=Membership.Role.MEMBER).user


@pytest.fixture
def manager(acme):
    return MembershipFactory(company=acme, role=Membership.Role.ADMIN).user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def order_on_invoice(client, product, po_number="PO-2026-778"):
    flow.fill_basket(client, product)
    flow.to_payment_method(client)
    chosen = flow.choose(client, PaymentMethod.INVOICE, po_number=po_number)
    assert chosen.status_code == 302, chosen.content
    placed = flow.place(client)
    assert placed.status_code == 302 and placed["Location"] == reverse("checkout:thank-you")
    return Order.objects.order_by("-pk").first()


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF made by reportlab (ASCII85 + Flate streams)."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = stream.strip()
        try:
            if raw.endswith(b"~>"):
                raw = base64.a85decode(raw.removeprefix(b"<~").removesuffix(b"~>"))
            text.append(zlib.decompress(raw).decode("latin-1"))
        except (ValueError, zlib.error):
            continue
    return "".join(text)


def test_pay_on_invoice_is_offered_to_company_members_and_approved_clients_only(
    product, member, settings
):
    settings.STRIPE_SECRET_KEY = ""
    private, approved = UserFactory(), UserFactory()
    InvoiceApproval.objects.create(user=approved)
    pages = {}
    for name, user in (("member", member), ("private", private), ("approved", approved)):
        client = logged_in(user)
        flow.fill_basket(client, product)
        flow.to_payment_method(client)
        pages[name] = client.get(reverse("checkout:payment-method")).content.decode()

    assert 'value="invoice"' in pages["member"] and 'value="studio"' in pages["member"]
    assert 'value="invoice"' not in pages["private"] and 'value="studio"' in pages["private"]
    assert 'value="invoice"' in pages["approved"]


def test_a_company_order_on_invoice_needs_a_purchase_order_number(product, member):
    client = logged_in(member)
    flow.fill_basket(client, product)
    flow.to_payment_method(client)

    response = flow.choose(client, PaymentMethod.INVOICE, po_number="  ")

    assert response.status_code == 200
    assert "bon de commande" in response.content.decode()
    assert flow.place(client).status_code == 302  # back to choosing a method
    assert not Order.objects.exists()


def test_a_company_member_orders_on_invoice_with_a_po_number(
    product, member, acme, django_capture_on_commit_callbacks
):
    client = logged_in(member)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_on_invoice(client, product)

    assert order.status == "En attente de paiement"
    invoice = order.invoice
    assert invoice.number == f"FA-{YEAR}-0001"
    assert invoice.po_number == "PO-2026-778"
    assert invoice.company == acme
    assert invoice.due_on == invoice.issued_on + timedelta(days=30)
    assert invoice.buyer["vat_number"] == "FR44732829320"
    assert invoice.seller["siret"]
    assert not order.payment_events.exists()
    # The customer and the company's accounts department, each their own email.
    confirmations = sorted(mail.outbox, key=lambda m: m.to)
    assert [m.to for m in confirmations] == sorted([[member.email], ["compta@acme.test"]])
    for confirmation in confirmations:
        assert confirmation.subject == f"Votre commande {order.number} est enregistrée"
        assert invoice.number in confirmation.body
        html = confirmation.alternatives[0][0]
        assert invoice.number in html and "<html" in html

    # The next invoice takes the next number.
    second = order_on_invoice(client, product, po_number="PO-2026-779")
    assert second.invoice.number == f"FA-{YEAR}-0002"


def test_an_invoice_number_is_given_back_when_its_order_rolls_back(product, member):
    first = order_on_invoice(logged_in(member), product)
    client = logged_in(member)
    flow.fill_basket(client, product)
    flow.to_payment_method(client)
    flow.choose(client, PaymentMethod.STUDIO)
    flow.place(client)
    unbilled = Order.objects.exclude(pk=first.pk).get()

    with pytest.raises(RuntimeError), transaction.atomic():
        services.issue_invoice(unbilled, po_number="PO-X")
        raise RuntimeError("the order failed after its invoice was numbered")
    invoice = services.issue_invoice(unbilled, po_number="PO-X")

    assert first.invoice.number == f"FA-{YEAR}-0001"
    assert invoice.number == f"FA-{YEAR}-0002"


def test_the_invoice_pdf_carries_france_s_legal_mentions(product, member, settings):
    order = order_on_invoice(logged_in(member), product)

    data = invoice_pdf.render(order.invoice)

    assert data.startswith(b"%PDF")
    assert f"Facture {order.invoice.number}".encode() in data  # the document's title
    text = pdf_text(data)
    studio = settings.BOOKE_STUDIO
    for mention in (
        order.invoice.number,
        f"SIRET {studio['siret']}",
        studio["vat_number"],
        "Acme Industries SAS",
        "FR44732829320",
        "PO-2026-778",
        "L441-10",
        "D441-5",
        "40 ",
        "20 %",
        "24,00",
        "20,00",
        "4,00",
    ):
        assert mention in text, mention


def test_the_customer_company_managers_and_the_shop_download_the_invoice_nobody_else(
    product, member, manager, acme
):
    order = order_on_invoice(logged_in(member), product)
    url = reverse("payments:invoice", kwargs={"order_number": order.number})
    colleague = MembershipFactory(company=acme, role=Membership.Role.MEMBER).user
    other_manager = MembershipFactory(role=Membership.Role.ADMIN).user

    allowed = {
        "customer": logged_in(member).get(url),
        "company manager": logged_in(manager).get(url),
        "shop manager": logged_in(user_with_role("Shop manager")).get(url),
    }
    refused = {
        "colleague": logged_in(colleague).get(url),
        "another company's manager": logged_in(other_manager).get(url),
        "stranger": logged_in(UserFactory()).get(url),
        "retoucher": logged_in(user_with_role("Retoucher")).get(url),
    }
    anonymous = Client().get(url)

    for who, response in allowed.items():
        assert response.status_code == 200, who
        assert response["Content-Type"] == "application/pdf", who
        assert response.content.startswith(b"%PDF"), who
    for who, response in refused.items():
        assert response.status_code == 404, who
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_order_pages_link_the_invoice_and_offer_to_record_its_payment(product, member):
    order = order_on_invoice(logged_in(member), product)
    url = reverse("payments:invoice", kwargs={"order_number": order.number})

    customer_page = logged_in(member).get(
        reverse("customer:order", kwargs={"order_number": order.number})
    ).content.decode()
    dashboard_page = logged_in(user_with_role("Shop manager")).get(
        reverse("dashboard:order-detail", kwargs={"number": order.number})
    ).content.decode()

    assert url in customer_page and order.invoice.number in customer_page
    assert url in dashboard_page
    assert reverse("payments:record-payment", args=[order.number]) in dashboard_page


def test_the_shop_manager_records_an_invoice_payment_once(
    product, member, django_capture_on_commit_callbacks
):
    order = order_on_invoice(logged_in(member), product)
    shop = logged_in(user_with_role("Shop manager"))
    url = reverse("payments:record-payment", args=[order.number])
    paid = []
    order_paid.connect(lambda sender, order, **kw: paid.append(order.number), weak=False,
                       dispatch_uid="test-invoice-paid")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            shop.post(url, {"reference": "VIR-0042"})
            shop.post(url, {"reference": "VIR-0042"})
    finally:
        order_paid.disconnect(dispatch_uid="test-invoice-paid")

    order.refresh_from_db()
    assert order.status == "Payée"
    assert order.invoice.paid_on == timezone.localdate()
    [event] = order.payment_events.all()
    assert (event.event_type.name, event.amount, event.reference) == (
        "Paiement", order.total_incl_tax, "VIR-0042"
    )
    assert order.sources.get().source_type.name == "Facture"
    assert paid == [order.number]
    assert sorted((m.subject, m.to[0]) for m in mail.outbox) == sorted(
        (f"Paiement reçu pour la commande {order.number}", to)
        for to in (member.email, "compta@acme.test")
    )


def test_an_order_paid_at_the_studio_is_placed_unpaid_then_recorded(
    product, django_capture_on_commit_callbacks
):
    client = Client()
    flow.fill_basket(client, product)
    flow.to_payment_method(client, guest_email="passant@example.test")
    flow.choose(client, PaymentMethod.STUDIO)
    with django_capture_on_commit_callbacks(execute=True):
        flow.place(client)
    order = Order.objects.get()
    assert order.status == "En attente de paiement"
    assert not Invoice.objects.exists()
    assert "au studio ou par virement" in mail.outbox[0].body

    assert services.record_payment(order, reference="espèces") is True
    order.refresh_from_db()
    assert order.status == "Payée"
    assert order.sources.get().source_type.name == "Au studio / virement"


def test_only_the_shop_records_payments(product, member):
    order = order_on_invoice(logged_in(member), product)

    response = logged_in(member).post(reverse("payments:record-payment", args=[order.number]))

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == "En attente de paiement"


def test_the_customer_hears_when_the_dashboard_marks_the_order_shipped(
    product, member, django_capture_on_commit_callbacks
):
    order = order_on_invoice(logged_in(member), product)
    services.record_payment(order)
    shop = logged_in(user_with_role("Shop manager"))

    with django_capture_on_commit_callbacks(execute=True):
        shop.post(
            reverse("dashboard:order-detail", kwargs={"number": order.number}),
            {"order_action": "change_order_status", "new_status": "Expédiée"},
        )

    order.refresh_from_db()
    assert order.status == "Expédiée"
    [shipped] = mail.outbox
    assert shipped.subject == f"Votre commande {order.number} est expédiée"
    assert "3 quai Saint-Antoine" in shipped.body


def test_invoices_are_reminded_once_before_their_due_date_and_once_when_overdue(
    product, member, django_capture_on_commit_callbacks
):
    client = logged_in(member)
    due_soon, overdue, paid, later = (order_on_invoice(client, product) for _ in range(4))
    today = timezone.localdate()
    Invoice.objects.filter(order=due_soon).update(due_on=today + timedelta(days=2))
    Invoice.objects.filter(order=overdue).update(due_on=today - timedelta(days=10))
    Invoice.objects.filter(order=paid).update(due_on=today, paid_on=today)
    Invoice.objects.filter(order=later).update(due_on=today + timedelta(days=20))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_invoice_reminders", stdout=open("/dev/null", "w"))
    booker.send_due_messages()

    # The customer and the accounts department, once each.
    assert sorted((m.subject, m.to[0]) for m in mail.outbox) == sorted(
        [(f"Rappel : facture {due_soon.invoice.number} à régler", to)
         for to in (member.email, "compta@acme.test")]
        + [(f"Facture {overdue.invoice.number} en retard de paiement", to)
           for to in (member.email, "compta@acme.test")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_invoice_reminders(today + timedelta(days=1)) == 0
        # A week on, the invoice that was due soon is overdue: announced once more, as such.
        assert services.send_invoice_reminders(today + timedelta(days=7)) == 1
        assert services.send_invoice_reminders(today + timedelta(days=8)) == 0
    assert Invoice.objects.get(order=due_soon).last_reminder_on == today + timedelta(days=7)


def test_every_shop_email_renders_in_french_text_and_html(
    product, member, django_capture_on_commit_callbacks
):
    user_with_role("Shop manager", email="boutique@booke.test")
    order = order_on_invoice(logged_in(member), product)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        for event in (Event.ORDER_PLACED, Event.ORDER_PAID, Event.ORDER_SHIPPED,
                      Event.INVOICE_DUE, Event.INVOICE_OVERDUE):
            notifications.order_event(event, order)
    booker.send_due_messages()

    # Placed: client, accounts, shop; paid: client, accounts; shipped: client; due and
    # overdue: client, accounts.
    assert len(mail.outbox) == 10
    for message in mail.outbox:
        assert order.number in message.body, message.subject
        assert "commande" in message.body  # French (the greeting is the engine's)
        assert "{{" not in message.body and "{%" not in message.body
        html, kind = message.alternatives[0]
        assert kind == "text/html" and order.number in html


def test_invoice_reminders_run_daily_from_a_django_q_schedule(db):
    from django_q.models import Schedule

    from shop.payments import tasks

    schedule = Schedule.objects.get(name="shop.payments.send_invoice_reminders")

    assert (schedule.func, schedule.schedule_type) == (
        "shop.payments.tasks.send_invoice_reminders", Schedule.DAILY
    )
    assert tasks.send_invoice_reminders() == "0 invoice reminder(s) sent"


@pytest.mark.django_db
def test_a_shop_manager_cannot_allow_their_own_account_to_pay_on_invoice(client):
    from booker import roles

    shop_manager = user_with_role(roles.SHOP_MANAGER)
    private_client = UserFactory()
    client.force_login(shop_manager)
    add = reverse("admin:payments_invoiceapproval_add")

    refused = client.post(add, {"user": shop_manager.pk, "note": "moi"})
    assert refused.status_code == 200
    assert "Seul un administrateur" in refused.content.decode()
    assert not InvoiceApproval.objects.filter(user=shop_manager).exists()

    allowed = client.post(add, {"user": private_client.pk, "note": "client fidèle"})
    assert allowed.status_code == 302
    assert InvoiceApproval.objects.filter(user=private_client, approved_by=shop_manager).exists()
