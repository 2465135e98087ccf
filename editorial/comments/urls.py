from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("<id:post_id>/", views.post_comment, name="post"),
    path("reponses/arret/<str:token>/", views.replies_off, name="replies-off"),
]
