"""The lab's list in the dashboard: personal prints of paid orders, each with its crop, a
thumbnail and the original final to download — for shop managers and photographers only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booker import roles
from booker.models import FinalPhoto
from shop.personal import services
from shop.personal.selectors import Crop
from tests.booker.factories_studio import delivered_session
from tests.factories import user_with_role
from tests.shop.prints import basket_of, place_order, variant

pytestmark = pytest.mark.django_db

LIST = reverse("dashboard:personal-prints")


@pytest.fixture
def orders(catalogue):
    """A paid order and an unpaid one, each with a print of the client's first final."""
    session, files = delivered_session(2)
    final = FinalPhoto.objects.filter(job__session=session).order_by("pk").first()
    placed = []
    for paid in (True, False):
        services.add_print_of_final(
            basket_of(session.client), final, variant().pk, Crop(0.1, 0, 0.8, 1)
        )
        placed.append(place_order(session.client, paid=paid))
    return placed, final, files


def test_the_list_shows_the_prints_of_paid_orders(client, orders):
    (paid, unpaid), final, _ = orders
    client.force_login(user_with_role(roles.SHOP_MANAGER))

    html = client.get(LIST).content.decode()

    assert str(paid.number) in html and str(unpaid.number) not in html
    line = paid.lines.get()
    assert reverse("dashboard:personal-print-original", args=[line.pk]) in html
    assert "/shop/prints/vignette/" in html
    assert "10 / 0 / 80 × 100 %" in html

    html = client.get(LIST, {"toutes": "1"}).content.decode()
    assert str(paid.number) in html and str(unpaid.number) in html


def test_the_original_final_downloads_with_the_order_in_its_name(client, orders):
    (paid, _), final, files = orders
    client.force_login(user_with_role(roles.PHOTOGRAPHER))
    line = paid.lines.get()

    response = client.get(reverse("dashboard:personal-print-original", args=[line.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files[f"{final.job.rush.stem}.jpg"]
    assert f"{paid.number}-{line.pk}-" in response["Content-Disposition"]


@pytest.mark.parametrize("role", [roles.RETOUCHER, None])
def test_nobody_else_gets_the_list_or_the_original(client, orders, role):
    (paid, _), _, _ = orders
    client.force_login(user_with_role(role))
    line = paid.lines.get()
    for url in (LIST, reverse("dashboard:personal-print-original", args=[line.pk])):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert not response.has_header("Content-Disposition")


def test_the_dashboard_menu_and_order_page_show_the_prints(client, orders):
    (paid, _), _, _ = orders
    client.force_login(user_with_role(roles.SHOP_MANAGER))
    assert LIST in client.get(reverse("dashboard:index")).content.decode()
    html = client.get(reverse("dashboard:order-detail", args=[paid.number])).content.decode()
    assert "/shop/prints/vignette/" in html
