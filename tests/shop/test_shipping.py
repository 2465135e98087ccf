"""Shipping (issue 20): pickup at the studio, free, at the studio's address; postal rates by
bands of weight or of price, set in the dashboard; nothing to post (digital photos, a client's
own prints) means no postage; what the customer pays (Stripe, invoice, transfer) is the order
total, postage counted once; the parcel's tracking number reaches the customer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from booker import services as booker
from booker.events import Event
from booker.models import FinalPhoto
from shop import notifications
from shop.payments import selectors as payments
from shop.payments.models import Invoice, PaymentMethod, StripeCheckout
from shop.personal import pictures
from shop.personal import selectors as personal
from shop.personal import services as personal_services
from shop.personal.selectors import Crop
from shop.shipping.methods import StudioPickup
from tests import stripe_fake
from tests.booker.factories_studio import delivered_session
from tests.factories import CompanyFactory, MembershipFactory, user_with_role
from tests.shop import checkout_flow as flow
from tests.shop.prints import basket_of, place_order, variant

Order = get_model("order", "Order")
WeightBased = get_model("shipping", "WeightBased")
WeightBand = get_model("shipping", "WeightBand")
Country = get_model("address", "Country")
Repository = get_class("shipping.repository", "Repository")

pytestmark = pytest.mark.django_db

GUEST = "passant@example.test"


@pytest.fixture
def product(db):
    return flow.a_print()  # 24,00 € incl. VAT


def postal_rate(basis: str, bands: dict[str, str], name: str = "Colissimo", **kwargs):
    rate = WeightBased.objects.create(name=name, basis=basis, **kwargs)
    for limit, charge in bands.items():
        WeightBand.objects.create(method=rate, upper_limit=Decimal(limit),
                                  charge=Decimal(charge))
    return rate


def to_shipping_methods(client, product, *, quantity: int = 1, guest_email: str | None = GUEST):
    flow.fill_basket(client, product, quantity)
    if guest_email:
        client.post(reverse("checkout:index"), {"username": guest_email,
                                                "options": "anonymous"})
    assert client.post(reverse("checkout:shipping-address"), flow.ADDRESS).status_code == 302
    return client.get(reverse("checkout:shipping-method"))


def choose_method(client, code: str) -> None:
    chosen = client.post(reverse("checkout:shipping-method"), {"method_code": code})
    assert chosen.status_code == 302 and chosen["Location"].endswith("/payment-method/")


def place(client, method: str, **extra) -> Order:
    assert flow.choose(client, method, **extra).status_code == 302
    assert flow.place(client)["Location"] == reverse("checkout:thank-you")
    return Order.objects.order_by("-pk").first()


# --- The methods offered -----------------------------------------------------------------------


def test_checkout_offers_pickup_at_the_studio_free_with_its_address_beside_the_postal_rates(
    client, product, settings
):
    settings.SHOP_PICKUP_ADDRESS = "12 rue de l'Atelier\n69001 Lyon"
    postal_rate("price", {"1000": "6.90"}, description="Remis contre signature")

    page = to_shipping_methods(client, product)

    text = page.content.decode()
    assert page.status_code == 200
    assert "Retrait au studio" in text and "12 rue de l&#x27;Atelier<br>69001 Lyon" in text
    assert "Colissimo" in text and "6,90" in text and "Gratuit" in text
    assert "Remis contre signature" in text


def test_pickup_at_the_studio_reads_the_studios_address_when_no_pickup_address_is_set(settings):
    settings.SHOP_PICKUP_ADDRESS = ""
    settings.BOOKE_STUDIO = {**settings.BOOKE_STUDIO, "address": "8 rue des Photographes\n"
                                                                  "69002 Lyon"}

    assert StudioPickup().description.splitlines()[1:] == ["8 rue des Photographes",
                                                           "69002 Lyon"]


def test_a_shop_without_postal_rates_offers_pickup_only_and_checkout_goes_on_by_itself(
    client, product
):
    page = to_shipping_methods(client, product)

    assert page.status_code == 302 and page["Location"].endswith("/payment-method/")


def test_a_postal_rate_limited_to_other_countries_is_not_offered(client, product):
    belgium = Country.objects.create(iso_3166_1_a2="BE", iso_3166_1_a3="BEL",
                                     iso_3166_1_numeric="056", printable_name="Belgique",
                                     name="Belgique", is_shipping_country=True)
    postal_rate("price", {"1000": "12.00"}, name="Belgique").countries.add(belgium)
    postal_rate("price", {"1000": "6.90"}, name="France").countries.add(
        Country.objects.get(pk="FR"))

    text = to_shipping_methods(client, product).content.decode()

    assert "France" in text and "12,00" not in text


# --- The charges -------------------------------------------------------------------------------


def test_a_weight_rate_charges_the_band_of_the_parcels_weight(product):
    rate = postal_rate("weight", {"0.5": "5.00", "2": "8.00", "5": "12.00"},
                       default_weight=Decimal("0.400"))
    basket = basket_of(user_with_role(None))

    basket.add_product(product, 1)
    assert rate.calculate(basket).incl_tax == Decimal("5.00")  # 0.4 kg
    basket.add_product(product, 3)
    charge = rate.calculate(basket)  # 1.6 kg

    assert charge.incl_tax == Decimal("8.00") and charge.excl_tax == Decimal("6.67")


def test_a_price_rate_charges_the_band_of_the_goods_price_and_its_top_band_above(product):
    rate = postal_rate("price", {"30": "4.90", "100": "7.90", "150": "0.00"})
    basket = basket_of(user_with_role(None))

    basket.add_product(product, 1)  # 24 €
    assert rate.calculate(basket).incl_tax == Decimal("4.90")
    basket.add_product(product, 2)  # 72 €
    assert rate.calculate(basket).incl_tax == Decimal("7.90")
    basket.add_product(product, 5)  # 192 €: above every band, the top one (free) applies
    assert rate.calculate(basket).incl_tax == Decimal("0.00")


@pytest.fixture
def clients_print_and_extras(catalogue):
    """A client's basket holding a print of their own photo and a digital extra photo."""
    session, _ = delivered_session(2)
    customer = session.client
    basket = basket_of(customer)
    final = FinalPhoto.objects.filter(job__session=session).order_by("pk").first()
    personal_services.add_print_of_final(basket, final, variant("20x30", "lustre").pk,
                                         Crop(0.1, 0.1, 0.5, 0.5))
    basket.add_product(personal.extras_product(), 1)
    return customer, basket


def test_a_basket_of_a_clients_own_prints_and_digital_photos_posts_nothing_and_pays_no_postage(
    clients_print_and_extras
):
    customer, basket = clients_print_and_extras
    postal_rate("weight", {"10": "9.00"}, default_weight=Decimal("0.5"))

    [method] = Repository().get_shipping_methods(basket=basket, user=customer)

    assert not basket.is_shipping_required()
    assert method.code == "no-shipping-required"
    assert method.calculate(basket).incl_tax == Decimal("0.00")


def test_the_studio_may_choose_to_post_a_clients_own_prints(clients_print_and_extras, settings):
    settings.SHOP_POST_PERSONAL_PRINTS = True
    customer, basket = clients_print_and_extras

    assert basket.is_shipping_required()


def test_a_parcel_weighs_and_costs_only_the_lines_that_travel(clients_print_and_extras):
    customer, basket = clients_print_and_extras
    basket.add_product(variant("30x45", "lustre"), 1)
    by_weight = postal_rate("weight", {"0.5": "5.00", "2": "8.00"},
                            default_weight=Decimal("0.400"), name="Poids")
    by_price = postal_rate("price", {"50": "4.90", "500": "9.90"}, name="Prix")
    posted = variant("30x45", "lustre").stockrecords.get().price

    assert basket.is_shipping_required()
    # The client's own print and the extra photo would make 1.2 kg: only the 30×45 counts.
    assert by_weight.calculate(basket).incl_tax == Decimal("5.00")
    expected = Decimal("4.90") if posted <= 50 else Decimal("9.90")
    assert by_price.calculate(basket).incl_tax == expected


# --- What is paid is the order total, postage once -------------------------------------------


@pytest.fixture
def stripe_server(settings):
    with stripe_fake.FakeStripe() as server:
        flow.use_fake_stripe(settings, server)
        yield server


def test_a_card_payment_charges_the_goods_and_the_postage_once_the_order_total(
    client, product, stripe_server
):
    rate = postal_rate("price", {"1000": "6.90"})
    to_shipping_methods(client, product, quantity=2)
    choose_method(client, rate.code)
    assert flow.choose(client, PaymentMethod.CARD).status_code == 302
    session_id = flow.place(client)["Location"].rsplit("/", 1)[1]
    stripe_server.pay(session_id)
    client.get(reverse("checkout:stripe-return"), {"session_id": session_id})

    order = Order.objects.get()
    [(_, _, params, _)] = stripe_server.calls("POST", "/v1/checkout/sessions")
    assert order.shipping_incl_tax == Decimal("6.90") and order.shipping_method == "Colissimo"
    assert order.total_incl_tax == Decimal("48.00") + Decimal("6.90")
    assert params["line_items[0][price_data][unit_amount]"] == "5490"
    assert StripeCheckout.objects.get().amount == order.total_incl_tax
    assert order.sources.get().amount_debited == order.total_incl_tax
    assert order.status == "Payée"


def test_a_transfer_order_owes_the_goods_and_the_postage_once(client, product):
    rate = postal_rate("weight", {"5": "8.50"}, default_weight=Decimal("0.3"))
    to_shipping_methods(client, product)
    choose_method(client, rate.code)

    order = place(client, PaymentMethod.STUDIO)

    assert order.total_incl_tax == Decimal("24.00") + Decimal("8.50")
    owed = payments.amount_owed(order)
    assert owed.amount == order.total_incl_tax and owed.reference == order.number
    thanks = client.get(reverse("checkout:thank-you")).content.decode()
    assert "32,50" in thanks


def test_an_invoice_bills_the_postage_once_and_totals_the_order(product):
    member = MembershipFactory(company=CompanyFactory(pays_on_invoice=True)).user
    client = Client()
    client.force_login(member)
    rate = postal_rate("price", {"1000": "6.00"})
    to_shipping_methods(client, product, guest_email=None)
    choose_method(client, rate.code)

    order = place(client, PaymentMethod.INVOICE, po_number="PO-9")

    invoice = Invoice.objects.get(order=order)
    from shop.payments import invoice_pdf
    from tests.shop.test_invoice_payment import pdf_text

    text = pdf_text(invoice_pdf.render(invoice))
    assert order.total_incl_tax == Decimal("30.00")
    assert text.count("Livraison") == 1 and "6,00" in text
    assert payments.amount_owed(order).amount == Decimal("30.00")
    assert order.shipping_excl_tax == Decimal("5.00")
    assert order.total_excl_tax == Decimal("20.00") + Decimal("5.00")


def test_pickup_at_the_studio_adds_nothing_to_the_total(client, product):
    postal_rate("price", {"1000": "6.90"})
    to_shipping_methods(client, product)
    choose_method(client, "retrait-studio")

    order = place(client, PaymentMethod.STUDIO)

    assert order.shipping_incl_tax == 0 and order.total_incl_tax == Decimal("24.00")
    assert order.shipping_method == "Retrait au studio"


# --- The dashboard and the tracking number ----------------------------------------------------


def test_the_dashboard_sets_up_a_postal_rate_by_price_bands():
    manager = Client()
    manager.force_login(user_with_role("superuser"))

    created = manager.post(reverse("dashboard:shipping-method-create"), {
        "name": "Lettre suivie", "description": "", "basis": "price",
        "default_weight": "0", "countries": [],
    })
    rate = WeightBased.objects.get(name="Lettre suivie")
    manager.post(reverse("dashboard:shipping-method-detail", kwargs={"pk": rate.pk}),
                 {"upper_limit": "40", "charge": "3.50"})

    assert created.status_code == 302
    assert rate.basis == "price" and rate.get_charge(Decimal("39")) == Decimal("3.50")
    page = manager.get(reverse("dashboard:shipping-method-create")).content.decode()
    assert "prix des articles" in page


def test_the_shipped_email_carries_the_tracking_number_and_the_carriers_link(
    client, product, settings, django_capture_on_commit_callbacks
):
    settings.SHOP_TRACKING_URL = "https://suivi.example/colis?code={number}"
    rate = postal_rate("price", {"1000": "6.90"})
    to_shipping_methods(client, product)
    choose_method(client, rate.code)
    order = place(client, PaymentMethod.STUDIO)
    order.set_status("Payée")
    manager = Client()
    manager.force_login(user_with_role("Shop manager"))
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})
    assert "Numéro de suivi" in manager.get(url).content.decode()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        manager.post(url, {"order_action": "change_order_status", "new_status": "Expédiée",
                           "tracking_number": " 6A 1234 5678 "})
    booker.send_due_messages()

    order.refresh_from_db()
    assert order.status == "Expédiée" and order.tracking_number == "6A 1234 5678"
    [shipped] = [m for m in mail.outbox if "expédiée" in m.subject]
    link = "https://suivi.example/colis?code=6A%201234%205678"
    assert "6A 1234 5678" in shipped.body and link in shipped.body
    html = shipped.alternatives[0][0]
    assert "6A 1234 5678" in html and link in html and "Colissimo" in html


def test_a_shipped_email_without_a_tracking_number_says_none(
    client, product, django_capture_on_commit_callbacks
):
    to_shipping_methods(client, product)
    order = place(client, PaymentMethod.STUDIO)
    order.set_status("Payée")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        order.set_status("Expédiée")
    booker.send_due_messages()

    [shipped] = [m for m in mail.outbox if "expédiée" in m.subject]
    assert "Numéro de suivi" not in shipped.body and "Suivre le colis" not in shipped.body


# --- Photos in the order emails -----------------------------------------------------------------


@pytest.fixture
def gallery_source():
    """A gallery photo source whose photo 7 is public and photo 8 went offline."""
    def source(key: str, *, public_only: bool = True):
        if public_only and key != "7":
            return None
        return pictures.Picture(
            ref=pictures.picture_ref("testgal", key), title=f"Galerie {key}",
            preview_url=f"/media/ecran-{key}.jpg", thumb_url=f"/media/vignette-{key}.jpg",
            width=4000, height=3000, product_id=None)

    pictures.register_picture_source("testgal", source)
    yield source
    pictures.unregister_picture_source("testgal")


def test_order_emails_show_a_public_gallery_photos_thumbnail_never_a_clients_own_photo(
    clients_print_and_extras, gallery_source, django_capture_on_commit_callbacks
):
    customer, basket = clients_print_and_extras
    parent = variant("20x30", "lustre").parent
    for key in ("7", "8"):
        personal_services.add_print_of_product(
            basket, parent, variant("20x30", "lustre").pk, Crop(0, 0, 1, 1),
            picture=gallery_source(key, public_only=False))
    manager = user_with_role("Shop manager", email="boutique@booke.test")
    order = place_order(customer, paid=False)

    with django_capture_on_commit_callbacks(execute=True):
        notifications.order_event(Event.ORDER_PLACED, order)
    booker.send_due_messages()

    thumbnails = [line["thumbnail"] for line in notifications.order_lines(order)]
    assert thumbnails.count("http://localhost:8000/media/vignette-7.jpg") == 1
    assert thumbnails.count("") == len(thumbnails) - 1  # own photo, extra, offline gallery
    [news] = [m for m in mail.outbox if m.to == [manager.email]]
    html = news.alternatives[0][0]
    assert html.count("<img") == 1 and 'src="http://localhost:8000/media/vignette-7.jpg"' in html
    assert "/personal/" not in html and "vignette-8" not in html
