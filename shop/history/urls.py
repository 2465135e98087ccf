"""Mounted at /shop/historique/ by booke/urls.py, outside the page cache's paths (the fragment
is one visitor's)."""

from django.urls import path

from . import views

app_name = "history"

urlpatterns = [
    path("vu/<id:pk>/", views.product_viewed, name="viewed"),
    path("recents/", views.recently_viewed, name="recently-viewed"),
]
