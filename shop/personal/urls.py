from django.urls import path

from . import views

app_name = "personal"

urlpatterns = [
    path("final/<int:final_id>/", views.final_print, name="final"),
    path("produit/<int:product_id>/", views.product_print, name="product"),
    path("seance/<int:session_pk>/extras/", views.extras, name="extras"),
    path("vignette/<str:token>/", views.thumb, name="thumb"),
]
