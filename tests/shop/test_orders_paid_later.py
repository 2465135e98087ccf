"""Orders paid later (issue 20): a transfer or pay-at-the-studio order says what is owed, to
whom, the IBAN/BIC and the reference to write, on the thank-you page, in the emails and on
the customer's and the guest's order pages; lines read as words, never raw options; reviews
are offered for the catalogue's products only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from oscar.core.loading import get_model

from booker import services as booker
from booker.automation.context import euros
from booker.models import FinalPhoto
from shop.catalogue.product_classes import DEPOSIT, EXTRA_PHOTO
from shop.payments import selectors, services
from shop.payments.models import PaymentMethod
from shop.personal import selectors as personal
from shop.personal import services as personal_services
from shop.personal.selectors import Crop
from tests.booker.factories_studio import delivered_session, proofing_session, rush_ids
from tests.factories import UserFactory, user_with_role
from tests.shop import checkout_flow as flow
from tests.shop.prints import basket_of, place_order, variant

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db

GUEST = "passant@example.test"


@pytest.fixture
def product(db):
    return flow.a_print()


def place(client, product, method: str = PaymentMethod.STUDIO, **extra):
    flow.fill_basket(client, product)
    flow.to_payment_method(client, guest_email=extra.pop("guest_email", None))
    assert flow.choose(client, method, **extra).status_code == 302
    placed = flow.place(client)
    assert placed["Location"] == reverse("checkout:thank-you")
    return Order.objects.order_by("-pk").first()


def bank(settings) -> tuple[str, str, str]:
    studio = settings.BOOKE_STUDIO
    return studio["name"], studio["iban"], studio["bic"]


def test_an_unpaid_transfer_order_owes_its_total_to_the_studio_with_its_number_as_reference(
    product, settings
):
    order = place(Client(), product, guest_email=GUEST)

    owed = selectors.amount_owed(order)

    assert owed.amount == order.total_incl_tax > 0
    assert (owed.beneficiary, owed.iban, owed.bic) == bank(settings)
    assert owed.reference == order.number and owed.at_studio


def test_what_is_owed_is_the_total_minus_what_was_received(product):
    order = place(Client(), product, guest_email=GUEST)
    part = Decimal("10.00")

    services.record_payment(order, reference="VIR-1", amount=part)
    order.refresh_from_db()
    after_part = selectors.amount_owed(order)

    assert after_part.received == part
    assert after_part.amount == order.total_incl_tax - part


def test_a_paid_or_cancelled_order_owes_nothing_and_names_no_bank(product, settings):
    paid = place(Client(), product, guest_email=GUEST)
    services.record_payment(paid, reference="VIR-1")
    cancelled = place(Client(), product, guest_email=GUEST)
    cancelled.set_status(settings.ORDER_CANCELLED)

    for order in (paid, cancelled):
        order.refresh_from_db()
        owed = selectors.amount_owed(order)
        assert (owed.owed, owed.amount, owed.iban, owed.reference) == (
            False, Decimal("0.00"), "", "")


def test_the_thank_you_page_of_a_transfer_order_gives_the_amount_iban_bic_and_reference(
    product, settings
):
    client = Client()
    order = place(client, product, guest_email=GUEST)

    page = client.get(reverse("checkout:thank-you")).content.decode()

    beneficiary, iban, bic = bank(settings)
    assert 'id="amount-owed"' in page
    for needed in (beneficiary, iban, bic, f'class="owed-reference">{order.number}<'):
        assert needed in page
    assert euros(order.total_incl_tax).replace(" ", "\xa0") in page or str(
        order.total_incl_tax).replace(".", ",") in page
    assert "Aucun paiement" not in page and "No payment" not in page
    assert f"Commande n° {order.number} : confirmation" in page


def test_the_confirmation_email_states_the_amount_owed_beneficiary_iban_bic_and_reference(
    product, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(Client(), product, guest_email=GUEST)
    booker.send_due_messages()

    [confirmation] = [m for m in mail.outbox if m.subject.startswith("Votre commande")]
    beneficiary, iban, bic = bank(settings)
    for body in (confirmation.body, confirmation.alternatives[0][0]):
        assert "Reste à payer : " in body and euros(order.total_incl_tax) in body
        for needed in (beneficiary, iban, bic, order.number):
            assert needed in body
    assert f"Référence à indiquer : {order.number}" in confirmation.body


def test_the_shop_manager_s_new_order_email_says_what_is_owed_and_its_reference(
    product, django_capture_on_commit_callbacks
):
    manager = user_with_role("Shop manager", email="boutique@booke.test")
    with django_capture_on_commit_callbacks(execute=True):
        order = place(Client(), product, guest_email=GUEST)
    booker.send_due_messages()

    [news] = [m for m in mail.outbox if m.subject.startswith("Nouvelle commande")]
    assert news.to == [manager.email]
    assert f"({euros(order.total_incl_tax)}, référence {order.number})" in news.body


def test_the_payment_page_describes_only_the_methods_offered(product):
    client = Client()
    flow.fill_basket(client, product)
    flow.to_payment_method(client, guest_email=GUEST)

    page = client.get(reverse("checkout:payment-method")).content.decode()

    # No Stripe keys in the tests and a guest is not allowed invoices: at the studio only.
    assert 'data-method="studio"' in page
    assert "Stripe" not in page and "sous 30 jours" not in page


def test_the_customer_s_order_page_shows_what_is_owed_until_it_is_paid(product, settings):
    customer = UserFactory()
    client = Client()
    client.force_login(customer)
    order = place(client, product)
    url = reverse("customer:order", kwargs={"order_number": order.number})

    unpaid = client.get(url).content.decode()
    services.record_payment(order, reference="VIR-1")
    paid = client.get(url).content.decode()

    assert 'id="amount-owed"' in unpaid and settings.BOOKE_STUDIO["iban"] in unpaid
    assert 'id="amount-owed"' not in paid


def test_the_guest_s_order_page_is_in_french_and_shows_what_is_owed(product, settings):
    order = place(Client(), product, guest_email=GUEST)
    url = reverse("customer:anon-order",
                  kwargs={"order_number": order.number, "hash": order.verification_hash()})

    guest = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    # Oscar asks the guest for the order's email first.
    asked = guest.get(url, follow=True)
    form = asked.content.decode()
    assert "Suivre ma commande" in form and "Enter the following" not in form
    shown = guest.post(asked.redirect_chain[-1][0], {"email": GUEST}, follow=True)
    page = shown.content.decode()

    assert f"Commande n° {order.number}" in page and "Contenu de la commande" in page
    assert settings.BOOKE_STUDIO["iban"] in page
    for english in ("Order #", "Shipping address", "Order contents", "Line price",
                    "Basket total", "Ordre #"):
        assert english not in page


# --- Lines in words ----------------------------------------------------------------------------


def test_an_extras_line_names_its_photos_and_session_not_its_raw_options(client, catalogue):
    session = proofing_session(4, quota=1, extra_price=Decimal("10.00"))
    picks = rush_ids(session)[:3]
    for pk in picks:
        booker.set_pick(session, pk, True, user=session.client)
    client.force_login(session.client)
    assert client.post(reverse("personal:extras", args=[session.pk])).status_code == 302
    [line] = basket_of(session.client).all_lines()
    extras = personal.extras_of_line(line)[1]

    basket_page = client.get(reverse("basket:summary")).content.decode()
    order = place_order(session.client, paid=False)

    numbers = ", ".join(map(str, extras))
    words = f"Photos {numbers} de la séance « {session.title} »"
    assert line.description == words and order.lines.get().description == words
    assert escape(words) in basket_page
    assert "Séance =" not in basket_page and "Photos supplémentaires =" not in basket_page


def test_a_print_line_says_its_crop_in_words(catalogue):
    customer = UserFactory()
    basket = basket_of(customer)
    print_variant = variant("20x30", "lustre")
    cropped = personal_services.add_print_of_product(
        basket, print_variant.parent, print_variant.pk, Crop(0.1, 0.1, 0.5, 0.5))

    assert cropped.description.endswith("— recadrage personnalisé")
    assert "Recadrage =" not in cropped.description and "0.1000" not in cropped.description


def test_the_dashboard_calls_an_order_commande_n(product):
    order = place(Client(), product, guest_email=GUEST)
    manager = user_with_role("Shop manager")
    client = Client()
    client.force_login(manager)

    page = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number}))

    text = page.content.decode()
    assert page.status_code == 200
    assert f"Commande n° {order.number}" in text and "Commande #" not in text


# --- Reviews -----------------------------------------------------------------------------------


def test_reviews_are_offered_for_catalogue_products_not_personal_prints_extras_nor_deposits(
    catalogue
):
    customer = UserFactory()
    extras = Product.objects.filter(product_class__slug=EXTRA_PHOTO.slug).first()
    deposit = Product.objects.filter(product_class__slug=DEPOSIT.slug).first()

    assert variant().parent.is_review_permitted(customer)
    assert not variant().is_review_permitted(customer)
    assert not extras.is_review_permitted(customer)
    assert deposit is None or not deposit.is_review_permitted(customer)


def test_a_personal_print_s_order_line_offers_no_review(client, catalogue):
    session, _ = delivered_session(2)
    customer = session.client
    final = FinalPhoto.objects.filter(job__session=session).order_by("pk").first()
    personal_services.add_print_of_final(
        basket_of(customer), final, variant("20x30", "lustre").pk, Crop(0.1, 0.1, 0.5, 0.5))
    order = place_order(customer)
    client.force_login(customer)

    page = client.get(reverse("customer:order", kwargs={"order_number": order.number}))

    assert page.status_code == 200 and "Écrire un avis" not in page.content.decode()
