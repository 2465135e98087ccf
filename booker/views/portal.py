from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from booker import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "booker/portal/home.html",
        {"memberships": selectors.memberships_of(request.user)},
    )
