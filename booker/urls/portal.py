from django.urls import include, path

from booker.views import account, calendars, delivered, files, headshots, portal, portal_booking

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
    # "Mon compte": the person's details, address, password and preferences.
    path("compte/", account.account, name="account"),
    path("compte/email/<str:token>/", account.confirm_email, name="email-confirm"),
    path("sessions/<id:pk>/", portal.session_detail, name="session"),
    # The gallery's next cards as the client scrolls (and "page suivante" without JavaScript).
    path("sessions/<id:pk>/photos/", portal.photos, name="session-photos"),
    path("sessions/<id:pk>/pick/", portal.pick, name="pick"),
    path("sessions/<id:pk>/comment/", portal.comment, name="comment"),
    path("sessions/<id:pk>/submit/", portal.submit, name="submit"),
    # The client approves the finals before delivery, when the package says so.
    path("sessions/<id:pk>/validation/", portal.finals_review, name="finals-review"),
    path("sessions/<id:pk>/calendrier.ics", calendars.session_ics, name="session-ics"),
    # The client's online bookings: move to another free slot, or cancel (booker.booking).
    path("reservations/<str:token>/deplacer/", portal_booking.reschedule,
         name="booking-reschedule"),
    path("reservations/<str:token>/annuler/", portal_booking.cancel, name="booking-cancel"),
    # A company's headshot day: each member picks their slot.
    path("journees/<id:pk>/", headshots.headshot_day, name="headshot-day"),
    # A company's space on the team portal (booker.teams) and its brand library.
    path("entreprise/<slug:slug>/photos/", include("booker.urls.library")),
    path("entreprise/<slug:slug>/", include("booker.urls.company")),
    # Private files: every one of these checks who asks (booker.selectors), never public URLs.
    path("photos/<id:rush_id>/thumb.jpg", files.rush_thumb, name="rush-thumb"),
    path("photos/<id:rush_id>/proof.jpg", files.rush_proof, name="rush-proof"),
    path("finals/<id:final_id>/ecran.jpg", files.final_screen, name="final-screen"),
    path("finals/<id:final_id>/download/", files.final_download, name="final-download"),
    path("sessions/<id:session_pk>/photos.zip", files.delivery_zip, name="delivery-zip"),
    # The web size (booker/views/delivered.py): 2048 px sRGB copies, logged as "web".
    path("finals/<id:final_id>/web/", delivered.final_web_download, name="final-web-download"),
    path("sessions/<id:session_pk>/photos-web.zip", delivered.delivery_web_zip,
         name="delivery-web-zip"),
    # The family's view-only links: the client (or the company's leads) makes and revokes them.
    path("sessions/<id:pk>/partage/", delivered.share_create, name="share-create"),
    path("sessions/<id:pk>/partage/<id:link_id>/revoquer/", delivered.share_revoke,
         name="share-revoke"),
]
