"""The shop's part of a person's erasure (issue 21, GDPR; shop.payments.personal_data): orders
and invoices stay for their legal period (10 years) with the buyer's name and address the
invoice must show, and lose the account link, the email and the phone; saved addresses,
reviews and wish lists go."""

from __future__ import annotations

import pytest
from oscar.core.loading import get_model
from oscar.test.factories import ShippingAddressFactory, create_order

from booker import erasure, privacy
from booker.people import personal_data
from shop.payments import invoice_pdf, services
from shop.payments.models import Invoice
from tests.factories import CompanyFactory, MembershipFactory, UserFactory, user_with_role
from tests.shop.test_personal_data_export import shopper

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")
ProductReview = get_model("reviews", "ProductReview")
WishList = get_model("wishlists", "WishList")


def test_the_invoice_stays_with_the_buyers_name_and_address_not_their_contact():
    person, order, _wish_list = shopper("léa-only")
    order.shipping_address.phone_number = "+33612345678"
    order.shipping_address.save()
    invoice = order.invoice
    name, address = invoice.buyer["name"], invoice.buyer["address"]
    assert "3 rue léa-only" in address

    privacy.erase_person(person, actor=user_with_role("superuser"), files_confirmed=True)

    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.number == order.invoice.number
    assert invoice.buyer["address"] == address and invoice.buyer["contact"] == ""
    assert invoice.buyer["name"] == (name if "@" not in name else "—")
    assert person.email not in str(invoice.buyer)
    # Its PDF is still drawn, as the books need it.
    assert invoice_pdf.render(invoice)[:4] == b"%PDF"
    order = Order.objects.get(pk=order.pk)
    assert order.user is None and order.guest_email == ""
    assert str(order.shipping_address.phone_number or "") == ""
    assert order.total_incl_tax == invoice.order.total_incl_tax


def test_a_guest_order_by_their_email_loses_it():
    person = UserFactory()
    _person, guest_order, _wish_list = shopper("noé-only")
    Order.objects.filter(pk=guest_order.pk).update(user=None, guest_email=person.email)

    privacy.erase_person(person, actor=user_with_role("superuser"), files_confirmed=True)

    assert Order.objects.get(pk=guest_order.pk).guest_email == ""


def test_addresses_reviews_and_wish_lists_go_and_a_second_export_has_no_order():
    person, order, _wish_list = shopper("léa-only")
    someone, their_order, _their_list = shopper("noé-only")

    privacy.erase_person(person, actor=user_with_role("superuser"), files_confirmed=True)

    text = personal_data.export_json(person)
    assert "léa-only" not in text
    data = personal_data.export(person)
    assert data["shop_orders"] == [] and data["shop_addresses"] == []
    assert data["shop_reviews"] == [] and data["shop_wish_lists"] == []
    assert not UserAddress.objects.filter(user=person).exists()
    # Another client's are untouched.
    assert personal_data.export(someone)["shop_orders"][0]["number"] == str(their_order.number)
    assert ProductReview.objects.filter(user=someone).exists()
    assert WishList.objects.filter(owner=someone).exists()


def test_a_company_erasure_keeps_its_invoices_minimum_without_the_contact_person():
    company = CompanyFactory(name="Acme", legal_name="ACME SAS", siret="12345678900011",
                             vat_number="FR12345678900", address="1 rue de la Paix\n75002 Paris",
                             billing_email="compta@acme.test")
    member = MembershipFactory(company=company).user
    order = create_order(user=member, shipping_address=ShippingAddressFactory(
        first_name="Léa", last_name="Martin", phone_number="+33612345678"))
    invoice = services.issue_invoice(order, company=company)
    assert invoice.buyer["contact"] == member.get_full_name()

    erasure.erase_company_now(company, actor=user_with_role("superuser"), files_confirmed=True)

    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.buyer == {"name": "ACME SAS", "address": "1 rue de la Paix\n75002 Paris",
                             "vat_number": "FR12345678900", "siret": "12345678900011",
                             "contact": ""}
    assert invoice_pdf.render(invoice)[:4] == b"%PDF"
    order = Order.objects.get(pk=order.pk)
    assert str(order.shipping_address.phone_number or "") == ""
    assert order.total_incl_tax == invoice.order.total_incl_tax
    # The member was not ticked: their account and order stay theirs.
    assert order.user == member
