"""Product reviews are moderated: a client's review shows on the product page only once a shop
manager has approved it in the dashboard."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from booker import roles
from tests.factories import UserFactory, user_with_role
from tests.shop.test_storefront import text

ProductReview = get_model("reviews", "ProductReview")

pytestmark = pytest.mark.django_db

TITLE = "Un tirage superbe"
BODY = "Le papier Baryta rend les noirs profonds, l'emballage était soigné."


@pytest.fixture
def product():
    return create_product(title="Album lin", price=Decimal("120.00"), num_in_stock=5)


def write_review(client, product, **fields) -> ProductReview:
    url = reverse(
        "catalogue:reviews-add", kwargs={"product_slug": product.slug, "product_pk": product.pk}
    )
    response = client.post(url, {"title": TITLE, "score": 4, "body": BODY, **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ProductReview.objects.get(product=product)


def test_a_client_review_waits_for_moderation_and_stays_off_the_product_page(client, product):
    client.force_login(UserFactory())

    review = write_review(client, product)

    assert review.status == ProductReview.FOR_MODERATION
    page = text(client.get(product.get_absolute_url()))
    assert TITLE not in page
    assert BODY not in page
    product.refresh_from_db()
    assert product.rating is None  # a pending review does not count either


def test_a_shop_manager_approves_a_review_in_the_dashboard_and_it_shows(client, product):
    client.force_login(UserFactory())
    review = write_review(client, product)
    client.logout()

    client.force_login(user_with_role(roles.SHOP_MANAGER))
    pending = client.get(
        reverse("dashboard:reviews-list"), {"status": ProductReview.FOR_MODERATION}
    )
    assert pending.status_code == 200
    assert TITLE in text(pending)
    approved = client.post(
        reverse("dashboard:reviews-list"),
        {
            "action": "update_selected_review_status",
            "selected_review": [review.pk],
            "status": ProductReview.APPROVED,
        },
    )
    assert approved.status_code == 302

    review.refresh_from_db()
    assert review.status == ProductReview.APPROVED
    page = text(client.get(product.get_absolute_url()))
    assert TITLE in page
    assert BODY.replace("'", "&#x27;") in page
    product.refresh_from_db()
    assert product.rating == 4


def test_a_rejected_review_never_shows(client, product):
    client.force_login(UserFactory())
    review = write_review(client, product)
    client.force_login(user_with_role(roles.SHOP_MANAGER))

    client.post(
        reverse("dashboard:reviews-list"),
        {
            "action": "update_selected_review_status",
            "selected_review": [review.pk],
            "status": ProductReview.REJECTED,
        },
    )

    assert TITLE not in text(client.get(product.get_absolute_url()))


def test_a_client_cannot_approve_reviews(client, product):
    client.force_login(UserFactory())
    review = write_review(client, product)

    response = client.post(
        reverse("dashboard:reviews-list"),
        {
            "action": "update_selected_review_status",
            "selected_review": [review.pk],
            "status": ProductReview.APPROVED,
        },
    )

    assert response.status_code == 403  # logged in, but not a shop manager
    review.refresh_from_db()
    assert review.status == ProductReview.FOR_MODERATION


def test_an_anonymous_visitor_cannot_write_a_review(client, product):
    url = reverse(
        "catalogue:reviews-add", kwargs={"product_slug": product.slug, "product_pk": product.pk}
    )

    response = client.post(
        url, {"title": TITLE, "score": 5, "body": BODY, "name": "Spam", "email": "s@example.test"}
    )

    assert response.status_code == 302
    assert not ProductReview.objects.exists()


def test_a_review_waiting_for_moderation_does_not_show_at_its_own_address(client, product):
    client.force_login(UserFactory())
    review = write_review(client, product)
    url = reverse(
        "catalogue:reviews-detail",
        kwargs={"product_slug": product.slug, "product_pk": product.pk, "pk": review.pk},
    )

    hidden = text(client.get(url))
    review.status = ProductReview.APPROVED
    review.save()
    shown = text(client.get(url))

    assert TITLE not in hidden
    assert BODY.replace("'", "&#x27;") not in hidden
    assert TITLE in shown
