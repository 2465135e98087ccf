from django.urls import path

from . import views

app_name = "deposits"

urlpatterns = [
    path("<str:token>/", views.pay, name="pay"),
]
