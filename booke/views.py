"""Wiring views that belong to no single app."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    """Send a person who logged in without a `next` to the surface of their main role."""
    nxt = request.GET.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        return redirect(nxt)
    user = request.user
    if user.has_perm("wagtailadmin.access_admin") and not user.is_superuser:
        return redirect("wagtailadmin_home")
    if user.is_staff and user.has_module_perms("booker"):
        return redirect("admin:index")
    if user.has_perm("partner.dashboard_access"):
        return redirect("dashboard:index")
    return redirect("portal:home")


def healthz(request: HttpRequest) -> JsonResponse:
    # A query, not just a connection object: a connection the database dropped still looks
    # open until it is used.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links (feed readers, bookmarks, the
    back offices of the frameworks): the studio's icon, from the static files."""
    return redirect(static("img/favicon.ico"))


def bench_minimal(request: HttpRequest) -> HttpResponse:
    """The cheapest page Django can serve here (bench/pages.py; only with BOOKE_BENCH_VIEWS)."""
    return HttpResponse("ok", content_type="text/plain")
