"""The site's URLs plus a stand-in for the client's account page ("account"), which the engine's
emails link to (booker/automation/context.py) and which lands with "Mon compte" (#16's
invitations branch). Used only while that page is missing from the routes."""

from django.urls import path
from django.views.generic import RedirectView

from booke.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("compte/", RedirectView.as_view(url="/portal/"), name="account"),
    *site_urlpatterns,
]
