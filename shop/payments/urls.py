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
    # A credit note (avoir) as a PDF: who may read its invoice.
    path("shop/avoirs/<id:pk>/", views.CreditNoteDownloadView.as_view(), name="credit-note"),
    # A company's order waiting for its approvers.
    path("shop/approbations/<id:pk>/", views.ApprovalView.as_view(), name="approval"),
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
