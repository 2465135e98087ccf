"""Oscar's words the studio's customers and shop managers still met in English, or in a word
for word French that no French form uses: our catalogue translates them in place of Oscar's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.translation import gettext, override
from oscar.apps.address.forms import UserAddressForm

from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_address_form_asks_for_an_address_the_french_way():
    with override("fr"):
        form = UserAddressForm(UserFactory())
        labels = {name: str(field.label) for name, field in form.fields.items()}
    assert labels["line1"] == "Adresse"
    assert labels["line2"] == "Complément d'adresse"
    assert labels["postcode"] == "Code postal"
    assert "Troisième ligne d'adresse" not in labels.values()
    assert "État/Région" not in labels.values()


def test_the_dashboards_action_menu_is_in_french():
    with override("fr"):
        assert gettext("choose action") == "choisir une action"


@pytest.mark.django_db
def test_the_shop_has_no_menu_button_in_english(client: Client):
    html = client.get("/shop/", follow=True).content.decode()
    assert "Toggle navigation" not in html
    # The shop's own bar and its toggler are gone (issue 20): the site header's menu, always
    # shown, is the shop's too.
    assert "navbar-toggler" not in html
    assert 'class="main-nav"' in html
