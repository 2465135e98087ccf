"""The family's view-only links (/partage/<token>/): no login, the token is the credential."""

from django.urls import path

from booker.views import delivered

app_name = "share"

urlpatterns = [
    path("<str:token>/", delivered.shared, name="page"),
    path("<str:token>/photos/<id:final_id>.jpg", delivered.shared_photo, name="photo"),
]
