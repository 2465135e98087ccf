"""The company's space on the team portal: /portal/entreprise/<slug>/… (booker.teams)."""

from django.urls import path  # noqa: F401

app_name = "company"

urlpatterns: list = []
