from django.urls import path

from . import views

app_name = "personal"

urlpatterns = [
    path("final/<id:final_id>/", views.final_print, name="final"),
    path("produit/<id:product_id>/", views.product_print, name="product"),
    path("seance/<id:session_pk>/extras/", views.extras, name="extras"),
    path("vignette/<str:token>/", views.thumb, name="thumb"),
]
