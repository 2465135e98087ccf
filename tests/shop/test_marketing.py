"""The shop's condition for the Booker's segments (shop/marketing.py): "bought a print" is the
people of paid orders holding a print; the demo ships the issue's "newsletter subscribers who
bought a print" segment with it."""

from __future__ import annotations

import pytest

from booker.crm import services as crm
from booker.marketing import selectors
from booker.models import MarketingConsent, Segment
from shop import demo as shop_demo
from tests.factories import UserFactory
from tests.shop.prints import basket_of, place_order, variant

pytestmark = pytest.mark.django_db


def test_newsletter_subscribers_who_bought_a_print_are_the_demo_segment():
    shop_demo.seed(lambda line: None)
    buyer, unpaid, not_subscribed = (UserFactory(email=e) for e in (
        "buyer@example.test", "unpaid@example.test", "nosub@example.test"))
    for person, paid in ((buyer, True), (unpaid, False), (not_subscribed, True)):
        basket_of(person).add_product(variant(), 1)
        place_order(person, paid=paid)
    for person in (buyer, unpaid):
        crm.grant(person.email, MarketingConsent.Purpose.MARKETING, consent_text="oui",
                  source=MarketingConsent.Source.STAFF)
    segment = Segment.objects.get(name="Abonnés à la newsletter ayant acheté un tirage")
    [recipient] = selectors.recipients(segment)
    assert (recipient.email, recipient.user_id, recipient.b2b) == (buyer.email, buyer.pk, False)
