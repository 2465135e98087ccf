"""The company's brand library: /portal/entreprise/<slug>/photos/… (booker.delivery)."""

from django.urls import path  # noqa: F401

app_name = "library"

urlpatterns: list = []
