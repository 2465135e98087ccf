from django.urls import path

from . import views

urlpatterns = [
    path("", views.subscribe, name="newsletter-subscribe"),
    path("confirm/<str:token>/", views.confirm, name="newsletter-confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="newsletter-unsubscribe"),
]
