"""The lab's list in the Oscar dashboard: each order line that is a personal print, with its
crop, a thumbnail and the original final to send to the lab. The dashboard's permission map
(shop/dashboard/apps.py) lets in shop managers and photographers only."""

from __future__ import annotations

from pathlib import PurePath

from django.http import Http404, HttpRequest, HttpResponse
from django.views.generic import ListView

from booker.delivery.files import client_filename

from . import selectors
from .views import serve


class PrintListView(ListView):
    template_name = "personal/dashboard_prints.html"
    context_object_name = "lines"
    paginate_by = 50

    def get_queryset(self):
        self.show_all = self.request.GET.get("toutes") == "1"
        return selectors.fulfilment_lines(paid_only=not self.show_all)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["show_all"] = self.show_all
        context["rows"] = [
            {"line": line, "specs": line.product.attribute_summary if line.product else ""}
            for line in context["lines"]
        ]
        return context


def original(request: HttpRequest, line_id: int) -> HttpResponse:
    """The original of a print line (the client's final, or the gallery photo's image):
    streamed, or a signed link valid minutes (S3)."""
    line, final = selectors.fulfilment_line(line_id)
    if final is not None:
        name = f"{line.order.number}-{line.pk}-{client_filename(final)}"
        return serve(final.file, download_name=name, inline=False)
    line, picture = selectors.fulfilment_picture(line_id)
    if picture is None or not picture.file:
        raise Http404("No such print.")
    name = f"{line.order.number}-{line.pk}-{PurePath(picture.file.name).name}"
    return serve(picture.file, download_name=name, inline=False)
