"""The pages a visitor meets when something is missing or broken are the studio's, in French:
never Django's bare English "Not Found" / "Server Error (500)"."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client
from django.urls import path
from django.views.defaults import permission_denied

import booke.urls
from tests.factories import UserFactory


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


# This module is also the URLconf of the 500 test: the project's URLs and one view that raises.
urlpatterns = [path("test-broken/", broken_view), *booke.urls.urlpatterns]


@pytest.mark.django_db
def test_a_missing_page_answers_404_with_the_studios_french_page(client: Client):
    response = client.get("/cette-page-n-existe-pas/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in html
    assert "Not Found" not in html
    # The studio's look: its header (search, basket) around the message.
    assert 'class="site-header"' in html and "Panier" in html


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_view_that_raises_answers_500_with_the_studios_french_page():
    client = Client(raise_request_exception=False)
    response = client.get("/test-broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Erreur du serveur" in html
    assert "Server Error" not in html
    assert "booke.css" in html


def test_the_500_page_renders_without_a_request_or_the_database():
    # Django renders it with no context at all (django.views.defaults.server_error): nothing in
    # it may need the request, nor the database that may be the very thing that failed.
    html = loader.get_template("500.html").render()
    assert "Erreur du serveur" in html


@pytest.mark.django_db
def test_a_refusal_answers_403_in_french(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


@pytest.mark.django_db
def test_a_bad_request_answers_400_in_french(client: Client):
    response = client.get("/", HTTP_HOST="not-an-allowed-host.example")
    assert response.status_code == 400
    assert "Requête incorrecte" in response.content.decode()


# --- The icon.


@pytest.mark.django_db
def test_favicon_ico_answers_with_the_studios_icon(client: Client):
    response = client.get("/favicon.ico", follow=False)
    assert response.status_code == 302
    assert response["Location"].endswith("/img/favicon.ico")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/shop/", "/cette-page-n-existe-pas/"])
def test_the_site_and_shop_pages_link_the_icon(client: Client, url: str):
    html = client.get(url, follow=True).content.decode()
    assert "img/favicon.svg" in html
    assert "oscar/favicon.ico" not in html


@pytest.mark.django_db
def test_the_studios_back_office_links_the_icon(client: Client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "img/favicon.svg" in html
    assert "Booké" in html  # the AdminSite's own header, kept
