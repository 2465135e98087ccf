"""The shop's steps tell someone, through the automation engine: each order event is emitted
once and its default rule emails the right people (the customer, the accounts department, the
shop managers), with the amounts the order has; invoice reminders go once; a basket left for a
day is recalled once, and only to those who agreed to marketing emails."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from booker import services as booker
from booker.automation.context import euros
from booker.automation.models import Message, StaffTask
from booker.events import Event
from booker.models import MarketingConsent, Membership, SessionEvent
from shop import notifications
from shop.basket import services as baskets
from shop.basket import tasks as basket_tasks
from shop.payments import services, tasks
from shop.payments.models import Invoice, InvoiceApproval, PaymentMethod
from tests.factories import CompanyFactory, MembershipFactory, UserFactory, user_with_role
from tests.shop import checkout_flow as flow

Order = get_model("order", "Order")
Line = get_model("basket", "Line")

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(db):
    return flow.a_print()


@pytest.fixture
def shop_manager():
    return user_with_role("Shop manager", email="boutique@booke.test", first_name="Inès")


@pytest.fixture
def member():
    acme = CompanyFactory(name="Acme", billing_email="compta@acme.test")
    return MembershipFactory(company=acme, role=Membership.Role.MEMBER).user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def place(client, product, method: str, **extra):
    flow.fill_basket(client, product)
    flow.to_payment_method(client, guest_email=extra.pop("guest_email", None))
    assert flow.choose(client, method, **extra).status_code == 302
    assert flow.place(client).status_code == 302
    return Order.objects.order_by("-pk").first()


def events_of(order) -> list[str]:
    return list(SessionEvent.objects.filter(subject=f"order:{order.pk}")
                .order_by("pk").values_list("name", flat=True))


def sent(subject_start: str) -> list:
    return [m for m in mail.outbox if m.subject.startswith(subject_start)]


def test_an_order_on_invoice_is_announced_once_at_each_step_to_the_right_people(
    product, member, shop_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(logged_in(member), product, PaymentMethod.INVOICE, po_number="PO-1")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.record_payment(order, reference="VIR-1") is True
        assert services.record_payment(order, reference="VIR-1") is False
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(shop_manager).post(
            reverse("dashboard:order-detail", kwargs={"number": order.number}),
            {"order_action": "change_order_status", "new_status": "Expédiée"},
        )
    booker.send_due_messages()

    assert events_of(order) == [Event.ORDER_PLACED, Event.ORDER_PAID, Event.ORDER_SHIPPED]
    placed = SessionEvent.objects.get(name=Event.ORDER_PLACED)
    assert (placed.user, placed.payload["number"]) == (member, order.number)
    confirmation = f"Votre commande {order.number} est enregistrée"
    assert sorted(m.to[0] for m in sent(confirmation)) == sorted(
        [member.email, "compta@acme.test"])
    assert [m.to for m in sent("Nouvelle commande")] == [[shop_manager.email]]
    assert sorted(m.to[0] for m in sent("Paiement reçu")) == sorted(
        [member.email, "compta@acme.test"])
    [shipped] = sent(f"Votre commande {order.number} est expédiée")
    assert shipped.to == [member.email] and "3 quai Saint-Antoine" in shipped.body
    assert len(mail.outbox) == 6


def test_the_new_order_email_reaches_every_shop_manager_with_the_dashboard_link(
    product, shop_manager, django_capture_on_commit_callbacks
):
    other = user_with_role("Shop manager", email="atelier@booke.test")
    user_with_role("Photographer", email="photo@booke.test")
    with django_capture_on_commit_callbacks(execute=True):
        order = place(Client(), product, PaymentMethod.STUDIO,
                      guest_email="passant@example.test")

    news = sent(f"Nouvelle commande {order.number}")
    assert sorted(m.to[0] for m in news) == sorted([shop_manager.email, other.email])
    link = "http://localhost:8000" + reverse("dashboard:order-detail",
                                             kwargs={"number": order.number})
    for message in news:
        assert link in message.body and link in message.alternatives[0][0]
        assert "passant@example.test" in message.body
        assert "paiement attendu" in message.subject


def test_with_a_shop_mailbox_set_the_new_order_email_goes_there_and_not_to_each_manager(
    product, shop_manager, settings, django_capture_on_commit_callbacks
):
    settings.BOOKE_SHOP_ORDERS_EMAIL = "boutique@booke.test"
    with django_capture_on_commit_callbacks(execute=True):
        order = place(Client(), product, PaymentMethod.STUDIO,
                      guest_email="passant@example.test")

    assert [m.to for m in sent(f"Nouvelle commande {order.number}")] == [["boutique@booke.test"]]


def test_a_transfer_order_s_confirmation_states_its_amounts_iban_and_reference(
    product, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(Client(), product, PaymentMethod.STUDIO,
                      guest_email="passant@example.test")

    [confirmation] = sent("Votre commande")
    assert confirmation.to == ["passant@example.test"]
    body = confirmation.body
    line = order.lines.get()
    assert f"1 × {line.title} : {euros(line.line_price_incl_tax)}" in body
    assert f"Livraison : {euros(order.shipping_incl_tax)}" in body
    assert f"Total TTC : {euros(order.total_incl_tax)}" in body
    # What the email lists adds up to what is owed.
    assert line.line_price_incl_tax + order.shipping_incl_tax == order.total_incl_tax
    assert order.total_incl_tax == Decimal(flow.TOTAL_CENTS) / 100 + order.shipping_incl_tax
    assert settings.BOOKE_STUDIO["iban"] in body
    assert f"Référence à indiquer : {order.number}" in body
    # A guest follows the order through its verification link.
    assert order.verification_hash() in body


def test_a_discounted_order_s_email_lists_what_adds_up_to_its_total(
    product, django_capture_on_commit_callbacks
):
    from oscar.test.factories import create_offer

    create_offer()  # 20 % off everything
    with django_capture_on_commit_callbacks(execute=True):
        client = Client()
        flow.fill_basket(client, product, quantity=2)
        flow.to_payment_method(client, guest_email="passant@example.test")
        flow.choose(client, PaymentMethod.STUDIO)
        flow.place(client)
    order = Order.objects.get()

    [confirmation] = sent("Votre commande")
    line = order.lines.get()
    discount = line.line_price_before_discounts_incl_tax - line.line_price_incl_tax
    assert discount > 0
    assert (line.line_price_before_discounts_incl_tax - discount + order.shipping_incl_tax
            == order.total_incl_tax)
    for shown in (f"2 × {line.title} : {euros(line.line_price_before_discounts_incl_tax)}",
                  f"Remise : −{euros(discount)}",
                  f"Livraison : {euros(order.shipping_incl_tax)}",
                  f"Total TTC : {euros(order.total_incl_tax)}"):
        assert shown in confirmation.body, shown
        assert shown.split(" : ")[1] in confirmation.alternatives[0][0]


def test_the_invoice_reminder_task_run_twice_sends_one_email(
    product, django_capture_on_commit_callbacks
):
    client_user = UserFactory()
    InvoiceApproval.objects.create(user=client_user)
    order = place(logged_in(client_user), product, PaymentMethod.INVOICE)
    Invoice.objects.filter(order=order).update(due_on=timezone.localdate() + timedelta(days=1))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_invoice_reminders() == "1 invoice reminder(s) sent"
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_invoice_reminders() == "0 invoice reminder(s) sent"
    booker.send_due_messages()

    [reminder] = mail.outbox
    assert reminder.to == [client_user.email]
    assert reminder.subject == f"Rappel : facture {order.invoice.number} à régler"
    assert euros(order.total_incl_tax) in reminder.body
    assert "http://localhost:8000" + reverse("payments:invoice", args=[order.number]) in (
        reminder.body)
    assert SessionEvent.objects.filter(name=Event.INVOICE_DUE).count() == 1


def test_an_overdue_invoice_emails_the_customer_and_gives_the_shop_a_task(
    product, member, shop_manager, django_capture_on_commit_callbacks
):
    order = place(logged_in(member), product, PaymentMethod.INVOICE, po_number="PO-9")
    Invoice.objects.filter(order=order).update(due_on=timezone.localdate() - timedelta(days=1))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_invoice_reminders() == 1
    booker.send_due_messages()

    overdue = f"Facture {order.invoice.number} en retard de paiement"
    assert sorted((m.subject, m.to[0]) for m in mail.outbox) == sorted(
        (overdue, to) for to in (member.email, "compta@acme.test"))
    [task] = StaffTask.objects.all()
    assert task.assignee == shop_manager and "facture en retard" in task.title


def test_an_invoice_paid_before_its_reminder_goes_out_is_not_reminded(
    product, django_capture_on_commit_callbacks
):
    client_user = UserFactory()
    InvoiceApproval.objects.create(user=client_user)
    order = place(logged_in(client_user), product, PaymentMethod.INVOICE)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notifications.order_event(Event.INVOICE_DUE, order)
        # Paid in the meantime: the reminder planned is no longer relevant when it is sent.
        Invoice.objects.filter(order=order).update(paid_on=timezone.localdate())
    booker.send_due_messages()

    assert mail.outbox == []
    assert Message.objects.get().last_error == "plus d’actualité"


# --- Abandoned baskets -------------------------------------------------------------------------


def left_basket(user, product, *, hours: int = 25):
    flow.fill_basket(logged_in(user), product)
    Line.objects.filter(basket__owner=user).update(
        date_updated=timezone.now() - timedelta(hours=hours))


def consent(user) -> None:
    MarketingConsent.objects.create(
        email=user.email, status=MarketingConsent.Status.CONFIRMED, consent_text="Oui",
        requested_at=timezone.now(), confirmed_at=timezone.now(),
    )


def test_a_basket_left_a_day_is_recalled_once_to_a_customer_who_agreed(
    product, django_capture_on_commit_callbacks
):
    customer = UserFactory(first_name="Léa")
    consent(customer)
    left_basket(customer, product)
    fresh = UserFactory()
    consent(fresh)
    left_basket(fresh, product, hours=2)  # not left long enough
    flow.fill_basket(Client(), product)  # a visitor's: nobody to write to

    with django_capture_on_commit_callbacks(execute=True):
        assert basket_tasks.announce_abandoned_baskets() == (
            "1 abandoned basket(s) announced")
    with django_capture_on_commit_callbacks(execute=True):
        assert baskets.announce_abandoned_baskets() == 0
    booker.send_due_messages()

    [recall] = mail.outbox
    assert recall.to == [customer.email] and recall.subject == "Votre panier vous attend"
    assert product.title in recall.body and "24,00" in recall.body
    assert "http://localhost:8000" + reverse("basket:summary") in recall.body
    # A marketing email: one click stops them.
    assert recall.extra_headers["List-Unsubscribe"]


def test_a_basket_is_recalled_again_only_after_it_changed_and_was_left_again(
    product, django_capture_on_commit_callbacks
):
    customer = UserFactory()
    consent(customer)
    left_basket(customer, product)
    with django_capture_on_commit_callbacks(execute=True):
        assert baskets.announce_abandoned_baskets() == 1

    Line.objects.filter(basket__owner=customer).update(quantity=2, date_updated=timezone.now())
    later = timezone.now() + timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True):
        assert baskets.announce_abandoned_baskets(timezone.now()) == 0  # just changed
        assert baskets.announce_abandoned_baskets(later) == 1
        assert baskets.announce_abandoned_baskets(later) == 0

    assert SessionEvent.objects.filter(name=Event.BASKET_ABANDONED).count() == 2


def test_a_basket_recall_goes_only_with_marketing_consent(
    product, django_capture_on_commit_callbacks
):
    customer = UserFactory()
    left_basket(customer, product)

    with django_capture_on_commit_callbacks(execute=True):
        assert baskets.announce_abandoned_baskets() == 1
    booker.send_due_messages()

    assert mail.outbox == []
    assert Message.objects.get().last_error == "pas de consentement aux e-mails commerciaux"
