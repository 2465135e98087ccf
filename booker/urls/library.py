"""The company's brand library: /portal/entreprise/<slug>/photos/… (booker.delivery)."""

from django.urls import path

from booker.views import library

app_name = "library"

urlpatterns = [
    path("", library.library_page, name="library"),
    path("<id:final_id>/vignette.jpg", library.thumb, name="thumb"),
    # <size>: "web" (long side 2048 px) or "impression" (the final as delivered).
    path("<id:final_id>/telecharger/<slug:size>/", library.download, name="download"),
    path("<id:final_id>/masquer/", library.hide, name="hide"),
    path("<id:final_id>/etiquettes/", library.tags, name="tags"),
]
