"""Mounted at the root by booke/urls.py, before the shop and the dashboard they extend."""

from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path(
        "shop/accounts/orders/<str:order_number>/facture/",
        views.invoice_download,
        name="invoice",
    ),
    path(
        "dashboard/orders/<str:number>/paiement/",
        views.record_payment,
        name="record-payment",
    ),
    path("dashboard/orders/<str:number>/remboursement/", views.refund, name="refund"),
    path(
        "dashboard/orders/<str:number>/paiement/accepter/",
        views.accept_payment,
        name="accept-payment",
    ),
]
