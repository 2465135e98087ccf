"""Online booking (issue 17), mounted at /reserver/: the session types, a type's days and
slots, then a held booking's steps and page under r/<token>/ (the token is the booking's
public handle; only its holder or owner gets anything but a 404)."""

from django.urls import path

from booker.views import booking

app_name = "booking"

urlpatterns = [
    path("", booking.index, name="index"),
    path("r/<str:token>/", booking.status, name="status"),
    path("r/<str:token>/questions/", booking.questions, name="questions"),
    path("r/<str:token>/compte/", booking.account, name="account"),
    path("r/<str:token>/contrat/", booking.contract, name="contract"),
    path("r/<str:token>/paiement/", booking.payment, name="payment"),
    path("r/<str:token>/contrat.pdf", booking.contract_pdf, name="contract-pdf"),
    path("<slug:slug>/", booking.pick_slot, name="type"),
]
