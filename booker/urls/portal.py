from django.urls import path

from booker.views import files, portal

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("sessions/<int:pk>/", portal.session_detail, name="session"),
    path("sessions/<int:pk>/pick/", portal.pick, name="pick"),
    path("sessions/<int:pk>/comment/", portal.comment, name="comment"),
    path("sessions/<int:pk>/submit/", portal.submit, name="submit"),
    # Private files: every one of these checks who asks (booker.selectors), never public URLs.
    path("photos/<int:rush_id>/thumb.jpg", files.rush_thumb, name="rush-thumb"),
    path("photos/<int:rush_id>/proof.jpg", files.rush_proof, name="rush-proof"),
    path("finals/<int:final_id>/download/", files.final_download, name="final-download"),
    path("sessions/<int:session_pk>/photos.zip", files.delivery_zip, name="delivery-zip"),
]
