"""booker/links.py: the portal's links to the shop's pages come from the shop's registration,
and the booker's pages render without them (no shop, or its URLs not mounted)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse

from booker import links

LINK = Template('{% load booker_links %}{% studio_link name obj as url %}[{{ url }}]')


def render(name: str, obj) -> str:
    return LINK.render(Context({"name": name, "obj": obj}))


@pytest.fixture
def without():
    """Unregister a link for one test, then put the app's registration back."""
    saved = links.registered_links()
    yield links.unregister_link
    for name, link in saved.items():
        links.register_link(name, link)


def test_the_shop_registers_the_portals_links():
    session, final = SimpleNamespace(pk=7), SimpleNamespace(pk=9)
    assert render("pay_extras", session) == f"[{reverse('personal:extras', args=[7])}]"
    assert render("order_print", final) == f"[{reverse('personal:final', args=[9])}]"


def test_no_registered_link_renders_nothing(without):
    without("pay_extras")
    assert render("pay_extras", SimpleNamespace(pk=7)) == "[]"
    assert render("never_registered", None) == "[]"


@override_settings(ROOT_URLCONF="booker.urls.portal")
def test_a_link_to_pages_not_mounted_renders_nothing():
    assert render("order_print", SimpleNamespace(pk=9)) == "[]"
