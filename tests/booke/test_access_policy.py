"""Every URL pattern of the project × every kind of person, against the declared policy in
tests/access_policy.py.

The patterns are walked from the resolver, not listed: a new view (ours, or a framework's
after an upgrade) is a new case here, and fails until the table says who may open it. Each
pattern gets a real URL (its ids filled from the objects of tests/booke/policy_world.py) and
is fetched with GET as each person:
- allowed: a 2xx, a redirect that is not to the login page, or 405 (a POST-only view);
- refused: 404, 403, a redirect to the login page or to the second factor's pages, or the back
  office's "not found / not allowed" bounce to its own home (Django admin, Wagtail);
- for anyone: never a 5xx, never another 4xx.

A POST-only view answers GET with 405 whoever asks; for the people it refuses, it is also sent
an empty POST, which must be refused the same way (never 2xx or a redirect elsewhere).

A new framework, or an upgrade that adds dozens of pages: ACCESS_POLICY_DUMP=/tmp/seen.txt
runs every pattern without failing and writes what each person got, line by line, to help
write the table (the table says what *should* be, so read it before copying it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils.regex_helper import normalize

from booker.calendars.services import feed_for
from tests import access_policy as policy
from tests.booke import policy_world
from tests.booke.policy_world import ROLES, World

# The login pages: the frameworks' own only forward to ours.
FORWARDING_LOGINS = (
    "/accounts/login/", "/admin/login/", "/cms/login/", "/dashboard/login/",
    "/shop/accounts/login/",
)
# Where people are sent to log in, and back-office people to give their second factor (or
# set one up): a redirect there is a refusal.
LOGIN_PATHS = (*FORWARDING_LOGINS, "/accounts/2fa/verify/", "/accounts/2fa/enrol/")


def login_as(client: Client, user) -> None:
    """The one way this module logs a person in: the password, and for a back-office person
    the second factor, as a session that passed both. Done here, not left to conftest's
    autouse patch of force_login: the world is built once per module, before any
    function-scoped fixture applies (a session held at the code page would make every
    "refused" row pass for the wrong reason)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from booker.models import User
    from booker.twofactor.selectors import needs_second_factor
    from tests.otp import confirmed_device

    client.force_login(user)
    user = User.objects.get(pk=user.pk)  # has_perm caches permissions on the object
    if needs_second_factor(user) and DEVICE_ID_SESSION_KEY not in client.session:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
        session.save()


# --- Every URL pattern ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Route:
    route: str  # the pattern as Django joins it (ResolverMatch.route): what the table declares
    path_format: str  # %-format of a concrete path
    params: tuple[str, ...]
    callback: Callable
    name: str | None
    default_args: dict

    def __str__(self) -> str:
        return self.route


def _join(route1: str, route2: str) -> str:
    # Django's own join (URLResolver._join_route): the inner pattern's "^" is dropped.
    return route1 + route2.removeprefix("^") if route1 else route2


def _form(pattern) -> tuple[str, list[str]]:
    # The first form Django itself would reverse with (optional groups left out).
    path_format, params = normalize(pattern.regex.pattern)[0]
    return path_format, list(params)


def walk(patterns=None, route="", path_format="", params=()) -> Iterator[Route]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        own_route = _join(route, str(entry.pattern))
        own_format, own_params = _form(entry.pattern)
        full_format, full_params = path_format + own_format, (*params, *own_params)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, own_route, full_format, full_params)
        elif isinstance(entry, URLPattern):
            yield Route(
                own_route, full_format, full_params, entry.callback, entry.name,
                entry.default_args,
            )


def routes() -> list[Route]:
    """Each pattern once: a pattern repeated later (same text) is shadowed by the first."""
    seen: dict[str, Route] = {}
    for route in walk():
        seen.setdefault(route.route, route)
    return list(seen.values())


ROUTES = routes()


# --- A real URL for each pattern -----------------------------------------------------------------


def _model_of(route: Route):
    """The model behind a generic id (pk, object_id): the admin's, or the class-based view's."""
    callback = route.callback
    model_admin = getattr(callback, "model_admin", None)
    if model_admin is not None:
        return model_admin.model
    initkwargs = getattr(callback, "view_initkwargs", None) or {}
    view_class = getattr(callback, "view_class", None)
    model = initkwargs.get("model") or getattr(view_class, "model", None)
    if model is None and getattr(view_class, "queryset", None) is not None:
        model = view_class.queryset.model
    return apps.get_model(model) if isinstance(model, str) else model


def _feed_token(world: World) -> str:
    return feed_for(world.people[policy_world.PHOTOGRAPHER]).token


def _share_link(world: World):
    """S's family link, made by its client (A's admin) through the service: in the test that
    asks for it (each test's rows are rolled back after it)."""
    from booker.delivery import services as delivery_services

    link = world.objects.get("share_link")
    if link is None or not type(link).objects.filter(pk=link.pk).exists():
        link = world.objects["share_link"] = delivery_services.create_share_link(
            world.session, user=world.people[policy_world.CLIENT])
    return link


def _first(model) -> object:
    return model._default_manager.order_by("pk").first()


# Values of URL kwargs, by route prefix (longest first) and kwarg name. A route whose kwarg is
# in none of these, and whose id the model cannot give, fails loudly: add it here.
KWARGS: dict[tuple[str, str], Callable[[World], object]] = {
    # The portal and the private files: S, its photos, its final.
    ("portal/", "pk"): lambda w: w.session.pk,
    ("portal/", "rush_id"): lambda w: w.rush_id,
    ("portal/", "final_id"): lambda w: w.final.pk,
    ("portal/", "session_pk"): lambda w: w.session.pk,
    ("portal/", "link_id"): lambda w: _share_link(w).pk,
    # A family link: S's own, open (booker/views/delivered.py), and one of its photos.
    ("partage/", "token"): lambda w: _share_link(w).token,
    ("partage/", "final_id"): lambda w: w.final.pk,
    ("shop/prints/", "final_id"): lambda w: w.final.pk,
    # The team portal: company A, S's final in its brand library, in its web size.
    ("portal/entreprise/", "slug"): lambda w: w.session.company.slug,
    ("portal/entreprise/<slug:slug>/photos/", "final_id"): lambda w: w.final.pk,
    ("portal/entreprise/<slug:slug>/photos/", "size"): lambda w: "web",
    ("shop/prints/", "product_id"): lambda w: w.objects["print_parent"].pk,
    ("shop/prints/", "session_pk"): lambda w: w.session.pk,
    ("shop/prints/", "token"): lambda w: w.objects["thumb_token"],
    ("admin/booker/photosession/", "object_id"): lambda w: w.session.pk,
    ("admin/booker/photosession/", "upload_id"): lambda w: w.upload.pk,
    ("admin/booker/photosession/", "step"): lambda w: "complete",
    ("admin/booker/photosession/", "kind"): lambda w: "csv",
    ("admin/booker/retouchjob/", "object_id"): lambda w: w.job.pk,
    ("admin/booker/sharelink/", "object_id"): lambda w: _share_link(w).pk,
    ("cms/snippets/editorial_campaigns/campaigncontent/send/", "pk"): lambda w: _first(
        apps.get_model("editorial_campaigns.CampaignContent")).pk,
    # Online booking: the client's booking, by its token (booking pages, deposit page).
    ("admin/booker/booking/", "object_id"): lambda w: _first(apps.get_model("booker.Booking")).pk,
    # A lead's move on the pipeline's board (a custom page of the lead admin).
    ("admin/booker/lead/", "object_id"): lambda w: _first(apps.get_model("booker.Lead")).pk,
    # "Record a consent" on a contact: the client's (the world's first contact).
    ("admin/booker/contact/", "object_id"): lambda w: _first(apps.get_model("booker.Contact")).pk,
    ("admin/booker/booking/", "question"): lambda w: apps.get_model(
        "booker.BookingQuestion").objects.get(kind="file").pk,
    ("reserver/", "token"): lambda w: w.objects["booking_token"],
    ("portal/reservations/", "token"): lambda w: w.objects["booking_token"],
    ("portal/journees/", "pk"): lambda w: apps.get_model("booker.HeadshotDay").objects.get().pk,
    ("shop/acompte/", "token"): lambda w: w.objects["booking_token"],
    ("admin/booker/user/", "object_id"): lambda w: w.people[policy_world.CLIENT].pk,
    ("admin/booker/user/", "id"): lambda w: w.people[policy_world.CLIENT].pk,
    ("admin/r/", "content_type_id"): lambda w: _content_type_id(w.objects["product"]),
    ("admin/r/", "object_id"): lambda w: w.objects["product"].pk,
    ("admin/", "app_label"): lambda w: "booker",
    ("admin/", "url"): lambda w: "nowhere/",
    # The shop's orders and invoices: the client's order O.
    ("shop/accounts/orders/", "order_number"): lambda w: w.order.number,
    ("shop/accounts/orders/", "line_id"): lambda w: w.print_line.pk,
    ("dashboard/orders/", "number"): lambda w: w.order.number,
    ("dashboard/orders/", "note_id"): lambda w: w.order.notes.first().pk,
    ("dashboard/orders/", "line_id"): lambda w: w.print_line.pk,
    ("dashboard/prints/", "line_id"): lambda w: w.print_line.pk,
    ("shop/accounts/", "order_number"): lambda w: w.order.number,
    ("shop/accounts/", "hash"): lambda w: w.order.verification_hash(),
    ("shop/accounts/", "email_id"): lambda w: w.objects["email"].pk,
    ("shop/accounts/", "action"): lambda w: "default_for_billing",
    ("shop/accounts/alerts/", "key"): lambda w: w.objects["guest_alert"].key,
    ("shop/accounts/wishlists/", "key"): lambda w: w.objects["wishlist"].key,
    ("shop/accounts/wishlists/", "to_key"): lambda w: w.objects["other_wishlist"].key,
    ("shop/accounts/wishlists/", "line_pk"): lambda w: w.objects["wishlist"].lines.first().pk,
    ("shop/wishlists/", "key"): lambda w: w.objects["wishlist"].key,
    ("shop/", "product_pk"): lambda w: w.objects["product"].pk,
    ("shop/basket/add/", "pk"): lambda w: w.objects["product"].pk,
    ("shop/historique/vu/", "pk"): lambda w: w.objects["product"].pk,
    ("shop/basket/vouchers/", "pk"): lambda w: w.objects["voucher"].pk,
    ("shop/checkout/user-address/", "pk"): lambda w: w.objects["address"].pk,
    ("shop/accounts/addresses/", "pk"): lambda w: w.objects["address"].pk,
    ("shop/accounts/alerts/create/", "pk"): lambda w: w.objects["product"].pk,
    ("shop/accounts/alerts/cancel/", "pk"): lambda w: w.objects["alert"].pk,
    ("shop/catalogue/category/", "pk"): lambda w: w.objects["category"].pk,
    ("shop/catalogue/(?P<product_slug>[\\w-]*)_(?P<product_pk>\\d+)/reviews/", "pk"):
        lambda w: w.objects["review"].pk,
    ("dashboard/partners/", "pk"): lambda w: w.objects["partner"].pk,
    ("dashboard/offers/", "pk"): lambda w: w.objects["offer"].pk,
    ("shop/", "product_slug"): lambda w: w.objects["product"].slug,
    ("shop/catalogue/<product_slug:", "product_slug"): lambda w: w.objects["product"].slug,
    ("shop/catalogue/<product_slug:", "pk"): lambda w: w.objects["product"].pk,
    # Wagtail's page tree: the journal's post.
    ("^((?:", "_0"): lambda w: f"{w.objects['journal'].slug}/{w.objects['post'].slug}/",
    ("shop/catalogue/", "category_slug"): lambda w: w.objects["category"].slug,
    ("shop/catalogue/", "slug"): lambda w: w.objects["range"].slug,
    ("shop/offers/", "slug"): lambda w: w.objects["offer"].slug,
    ("dashboard/catalogue/", "product_class_slug"):
        lambda w: w.objects["product"].get_product_class().slug,
    ("dashboard/catalogue/", "parent_pk"): lambda w: w.objects["print_parent"].pk,
    ("dashboard/catalogue/", "parent"): lambda w: w.objects["category"].pk,
    ("dashboard/partners/", "partner_pk"): lambda w: w.objects["partner"].pk,
    ("dashboard/partners/", "user_pk"): lambda w: w.objects["partner"].users.first().pk,
    ("dashboard/comms/", "slug"): lambda w: w.objects["event_type"].code,
    ("dashboard/shipping/", "method_pk"): lambda w: w.objects["shipping_method"].pk,
    ("dashboard/ranges/", "pk"): lambda w: w.objects["range"].pk,
    ("dashboard/shipping/weight-based/<int:method_pk>/bands/", "pk"):
        lambda w: w.objects["band"].pk,
    # Tokens that are not the person's: every one of these pages must cope with a bad one.
    ("accounts/password-reset/", "uidb64"): lambda w: "MQ",
    ("accounts/password-reset/", "token"): lambda w: "set-password",
    ("shop/password-reset/", "uidb64"): lambda w: "MQ",
    ("shop/password-reset/", "token"): lambda w: "set-password",
    ("cms/password_reset/", "uidb64"): lambda w: "MQ",
    ("cms/password_reset/", "token"): lambda w: "set-password",
    ("newsletter/confirm/", "token"): lambda w: policy_world.CONSENT_TOKEN,
    ("newsletter/unsubscribe/", "token"): lambda w: w.objects["unsubscribe_token"],
    ("commentaires/reponses/", "token"): lambda w: w.objects["replies_off_token"],
    ("accounts/invitation/", "token"): lambda w: "not-an-invitation",
    ("accounts/unsubscribe/", "token"): lambda w: "not-a-token",
    ("accounts/equipe/", "token"): lambda w: "not-an-invitation",
    # The team portal: company A's space (slug above; its ids are refused before any lookup
    # to anyone but A's admin, who is answered 405 to a GET).
    ("portal/compte/email/", "token"): lambda w: "not-a-token",
    # Online booking: the world's session type.
    ("reserver/", "slug"): lambda w: _first(apps.get_model("booker.SessionType")).slug,
    # The photographer's live feed: its token is the credential, so the world's is used.
    ("calendrier/", "token"): lambda w: _feed_token(w),
    # The site: the journal, its post, its category.
    ("feeds/", "index_id"): lambda w: w.objects["journal"].pk,
    ("feeds/", "category_slug"): lambda w: w.objects["blog_category"].slug,
    ("commentaires/", "post_id"): lambda w: w.objects["post"].pk,
    ("documents/", "_0"): lambda w: w.objects["document"].pk,
    ("documents/", "_1"): lambda w: w.objects["document"].filename,
    ("documents/", "restriction_id"): lambda w: w.objects["collection_restriction"].pk,
    ("_util/", "page_view_restriction_id"): lambda w: w.objects["restriction"].pk,
    ("_util/", "page_id"): lambda w: w.objects["galleries"].pk,
    ("media/", "path"): lambda w: w.objects["media_file"],
    # Wagtail's admin.
    ("cms/", "page_id"): lambda w: w.objects["post"].pk,
    ("cms/", "parent_page_id"): lambda w: w.objects["journal"].pk,
    ("cms/", "page_to_move_id"): lambda w: w.objects["post"].pk,
    ("cms/", "destination_id"): lambda w: w.objects["galleries"].pk,
    ("cms/", "revision_id"): lambda w: w.objects["post"].latest_revision_id,
    ("cms/pages/", "pk"): lambda w: w.objects["post"].pk,
    ("cms/pages/", "revision_id_a"): lambda w: "earliest",
    ("cms/pages/", "revision_id_b"): lambda w: "latest",
    ("cms/pages/", "content_type_app_name"): lambda w: "editorial",
    ("cms/pages/", "content_type_model_name"): lambda w: "blogpostpage",
    ("cms/pages/", "app_label"): lambda w: "editorial",
    ("cms/pages/", "model_name"): lambda w: "blogpostpage",
    ("cms/pages/workflow/", "page_id"): lambda w: w.objects["moderated"].pk,
    ("cms/pages/workflow/", "action_name"): lambda w: "approve",
    ("cms/pages/<int:page_id>/workflow_history/", "page_id"): lambda w: w.objects["moderated"].pk,
    ("cms/pages/<int:page_id>/convert_alias/", "page_id"): lambda w: w.objects["alias"].pk,
    ("cms/pages/workflow/", "task_state_id"): lambda w: w.objects["task_state"].pk,
    ("cms/pages/workflow/", "task_id"): lambda w: w.objects["task"].pk,
    ("cms/pages/", "workflow_state_id"): lambda w: w.objects["workflow_state"].pk,
    ("cms/api/main/pages/", "pk"): lambda w: w.objects["post"].pk,
    ("cms/api/main/pages/", "action_name"): lambda w: "copy",
    ("cms/api/main/documents/", "pk"): lambda w: w.objects["document"].pk,
    ("cms/api/main/images/", "pk"): lambda w: w.objects["picture"].pk,
    ("cms/bulk/", "app_label"): lambda w: "wagtailcore",
    ("cms/bulk/", "model_name"): lambda w: "page",
    ("cms/bulk/", "action"): lambda w: "publish",
    ("cms/tag-autocomplete/", "app_name"): lambda w: "taggit",
    ("cms/tag-autocomplete/", "model_name"): lambda w: "tag",
    ("cms/collections/", "collection_id"): lambda w: w.objects["collection"].pk,
    ("cms/workflows/", "page_pk"): lambda w: w.objects["post"].pk,
    ("cms/workflows/", "workflow_pk"): lambda w: w.objects["workflow"].pk,
    ("cms/workflows/", "task_id"): lambda w: w.objects["task"].pk,
    ("cms/workflows/", "pk"): lambda w: w.objects["workflow"].pk,
    ("cms/workflows/tasks/", "pk"): lambda w: w.objects["task"].pk,
    ("cms/workflows/tasks/add/", "app_label"): lambda w: "wagtailcore",
    ("cms/workflows/tasks/add/", "model_name"): lambda w: "groupapprovaltask",
    ("cms/editing-sessions/", "app_label"): lambda w: "wagtailcore",
    ("cms/editing-sessions/", "model_name"): lambda w: "page",
    ("cms/editing-sessions/", "object_id"): lambda w: w.objects["post"].pk,
    ("cms/editing-sessions/", "session_id"): lambda w: w.objects["editing_session"].pk,
    ("cms/forms/", "page_id"): lambda w: w.objects["contact"].pk,
    ("cms/settings/", "app_name"): lambda w: "editorial_site",
    ("cms/settings/", "model_name"): lambda w: "studiosettings",
    ("cms/settings/", "pk"): lambda w: w.objects["default_site"].pk,
    ("cms/redirects/", "redirect_id"): lambda w: w.objects["redirect"].pk,
    ("cms/documents/", "document_id"): lambda w: w.objects["document"].pk,
    ("cms/documents/", "doc_id"): lambda w: w.objects["document"].pk,
    ("cms/documents/", "uploaded_file_id"): lambda w: w.objects["uploaded_file"].pk,
    ("cms/images/", "image_id"): lambda w: w.objects["picture"].pk,
    ("cms/images/", "uploaded_file_id"): lambda w: w.objects["uploaded_file"].pk,
    ("cms/images/", "filter_spec"): lambda w: "original",
}

# Pages that need more than their path to do their work (a query, a POST's fields), and the
# catch-alls, whose path is any other address.
REQUESTS: dict[str, Callable[[World], dict]] = {
    "admin/autocomplete/": lambda w: {"query": {
        "app_label": "payments", "model_name": "invoiceapproval", "field_name": "user",
        "term": "a",
    }},
    # Moves a category before another (treebeard's drag and drop).
    "admin/catalogue/category/move/": lambda w: {"method": "post", "data": {
        "node_id": w.objects["category"].pk, "sibling_id": w.objects["other_category"].pk,
    }},
    "cms/api/main/pages/find/": lambda w: {"query": {"id": w.objects["post"].pk}},
    "cms/api/main/documents/find/": lambda w: {"query": {"id": w.objects["document"].pk}},
    "cms/api/main/images/find/": lambda w: {"query": {"id": w.objects["picture"].pk}},
    "cms/bulk/<str:app_label>/<str:model_name>/<str:action>/":
        lambda w: {"query": {"id": w.objects["post"].pk}},
    "cms/block-preview/": lambda w: {"query": {"id": _a_block_id()}},
    "cms/.*/$": lambda w: {"path": "/cms/nowhere/"},
}


# Framework patterns that one of ours, before them, answers instead (same URLs).
SHADOWED = {
    # Oscar's product page: booke/urls.py serves it with shop.history's view.
    "shop/catalogue/(?P<product_slug>[\\w-]*)_(?P<pk>\\d+)/$":
        "shop/catalogue/<product_slug:product_slug>_<id:pk>/",
    # Oscar's add-to-basket, taken without a CSRF token for anonymous visitors (cached pages).
    "shop/basket/add/<int:pk>/": "shop/basket/add/<id:pk>/",
    # Oscar's order-line page, without its missing template (shop/customer_orders.py).
    "shop/accounts/orders/<str:order_number>/<int:line_id>/":
        "shop/accounts/orders/<str:order_number>/<id:line_id>/",
}


def _a_block_id() -> str:
    from wagtail.blocks import Block

    return next(iter(Block.definition_registry))


def _content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


class NoValue(LookupError):
    pass


def kwarg_value(route: Route, name: str, world: World) -> object:
    """The value of one URL kwarg. A page that nobody may open needs no object: it is refused
    before any lookup (and the model's list page shows whether a role got its permission)."""
    for (prefix, kwarg), value in sorted(KWARGS.items(), key=lambda kv: -len(kv[0][0])):
        if kwarg == name and route.route.startswith(prefix):
            return value(world)
    if name in ("pk", "object_id", "id"):
        model = _model_of(route)
        obj = _first(model) if model is not None else None
        if obj is not None:
            return obj.pk
        if model is not None and (
            not policy.who_may_open(route.route) or route.route.endswith("<path:object_id>/")
        ):
            # Django admin's bare object address only redirects to the change page.
            return 0
        if model is not None:
            raise NoValue(
                f"{route}: no {model._meta.label} in the world for {name!r}: make one in "
                "tests/booke/policy_world.py"
            )
    raise NoValue(
        f"{route}: no value for the URL kwarg {name!r}: add ({route.route!r}, {name!r}) — or a "
        "shorter prefix — to KWARGS in tests/booke/test_access_policy.py"
    )


def request_of(route: Route, world: World) -> dict:
    """What to send: {"path", "method", "query", "data"}."""
    request = {"method": "get", "query": {}, "data": None}
    request.update(REQUESTS[route.route](world) if route.route in REQUESTS else {})
    if "path" not in request:
        values = {name: kwarg_value(route, name, world) for name in route.params}
        request["path"] = "/" + route.path_format % {k: str(v) for k, v in values.items()}
    return request


# --- Asking as each person -----------------------------------------------------------------------

ALLOWED, REFUSED, METHOD, ERROR = "allowed", "refused", "method not allowed", "error"


def _location(response) -> str:
    return urlsplit(response["Location"]).path


def outcome(url: str, response) -> str:
    status = response.status_code
    if status == 405:
        return METHOD
    if status in (403, 404):
        return REFUSED
    if status in (301, 302, 303, 307, 308):
        target = _location(response)
        if target.startswith(LOGIN_PATHS):
            # The frameworks' login pages are themselves only a forward to the login page.
            return ALLOWED if url in FORWARDING_LOGINS else REFUSED
        # The back offices answer "not allowed" / "no such object" with a bounce to their home.
        for home in ("/admin/", "/cms/"):
            if url.startswith(home) and url != home and target == home:
                return REFUSED
        return ALLOWED
    if 200 <= status < 300:
        return ALLOWED
    return ERROR


@pytest.fixture(autouse=True)
def _media_root():
    """The world's files, written once for the module (conftest gives each test its own)."""


@pytest.fixture(autouse=True)
def _private_media_root():
    """As above, for the private files."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("policy")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=root / "media", PRIVATE_MEDIA_ROOT=root / "private"),
        transaction.atomic(),
    ):
        built = policy_world.build()
        media = _write_public_media_file()
        built.objects["media_file"] = media.name
        # One session per person, made once: each request starts from its cookie alone.
        for role, user in built.people.items():
            client = Client()
            if user is not None:
                login_as(client, user)
            built.cookies[role] = client.cookies.get(settings.SESSION_COOKIE_NAME)
        try:
            yield built
        finally:
            media.unlink(missing_ok=True)
            transaction.set_rollback(True)


def _write_public_media_file():
    """/media/ is served from the folder its URL pattern was given at start-up (not the
    per-test MEDIA_ROOT): one small file there for the module, removed after."""
    from pathlib import Path

    route = next(r for r in ROUTES if r.route == "media/<path:path>")
    folder = Path(route.default_args["document_root"])
    folder.mkdir(parents=True, exist_ok=True)
    # One name per process: two workers sharing the module (pytest -n without --dist
    # loadfile) must not remove each other's file.
    path = folder / f"access-policy-test-{os.getpid()}.txt"
    path.write_text("public\n")
    return path


def as_person(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    cookie = world.cookies[role]
    if cookie is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
    return client


def _says(response) -> str:
    status = response.status_code
    if 300 <= status < 400:
        return f"{status} → {response['Location']}"
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        return f"{status} ({exc_info[0].__name__}: {str(exc_info[1])[:200]})"
    return str(status)


DUMP = os.environ.get("ACCESS_POLICY_DUMP")


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_person_opens_exactly_what_the_policy_allows(route, world):
    try:
        allowed = policy.who_may_open(route.route)
    except policy.Undeclared as exc:
        if not DUMP:
            pytest.fail(f"{exc} (view: {_view_name(route)}, name: {route.name})")
        allowed = frozenset()
    try:
        request = request_of(route, world)
    except NoValue as exc:
        if not DUMP:
            raise
        with open(DUMP, "a") as out:
            out.write(repr((route.route, str(exc))) + "\n")
        return
    url = request["path"]
    reached = resolve(url).route
    if route.route in SHADOWED:
        assert reached == SHADOWED[route.route], f"{url} reaches {reached}"
        return  # answered by the pattern before it, which has its own case
    assert reached == route.route, f"{url} reaches {reached}, not {route}"
    wrong = []
    seen = {}
    for role in ROLES:
        client = as_person(world, role)
        send = getattr(client, request["method"])
        response = send(url, request["data"] or request["query"])
        got = outcome(url, response)
        seen[role] = f"{request['method'].upper()} {_says(response)}"
        if got == METHOD and role not in allowed and request["method"] == "get":
            # A POST-only view: the refused must be refused their POST too.
            response = as_person(world, role).post(url)
            got = outcome(url, response)
            got = REFUSED if got == METHOD else got
            seen[role] += f", POST {_says(response)}"
        expected = ALLOWED if role in allowed else REFUSED
        if got == ERROR and route.route in policy.RAISES_ON_PURPOSE and expected == ALLOWED:
            continue
        if got == ERROR or (got != expected and not (got == METHOD and expected == ALLOWED)):
            wrong.append(f"  {role}: expected {expected}, got {seen[role]}")
    if DUMP:
        with open(DUMP, "a") as out:
            out.write(repr((route.route, seen)) + "\n")
        return
    assert not wrong, f"{url} ({route}):\n" + "\n".join(wrong)


def _view_name(route: Route) -> str:
    callback = getattr(route.callback, "view_class", route.callback)
    return f"{callback.__module__}.{getattr(callback, '__qualname__', callback)}"


def test_every_pattern_is_walked():
    """The walk reaches the three back offices and the page tree (a walk that stopped early
    would pass by testing nothing)."""
    prefixes = {re.match(r"[^/]*/?", r.route).group() for r in ROUTES}
    assert {"admin/", "cms/", "dashboard/", "shop/", "portal/", "accounts/"} <= prefixes
    assert any(r.name == "wagtail_serve" for r in ROUTES)
    assert len(ROUTES) > 800


def test_the_policy_declares_only_patterns_that_exist():
    """A line for a URL that is gone (renamed, moved) would hide that its new address is
    declared nowhere else: the table keeps only live patterns, prefixes and admin models."""
    from django.contrib import admin

    walked = {r.route for r in walk()}
    assert sorted(set(policy.ROUTES) - walked - policy.CONDITIONAL) == []
    assert [p for p in policy.FAMILIES if not any(r.startswith(p) for r in walked)] == []
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert sorted(set(policy.ADMIN_MODELS) - registered) == []


@pytest.mark.django_db
def test_back_office_people_browse_with_the_second_factor_passed(world):
    """Every staff role and the editor ask with a session that passed the second factor: held
    at the code page, they would be "refused" everywhere and the table's refusals prove
    nothing about their role."""
    from booker.models import User
    from booker.twofactor.selectors import needs_second_factor

    back_office = [
        role for role, user in world.people.items()
        if user is not None and needs_second_factor(User.objects.get(pk=user.pk))
    ]
    assert len(back_office) == 5
    for role in back_office:
        response = as_person(world, role).get("/accounts/2fa/verify/")
        assert response.status_code == 302, role
        assert not _location(response).startswith("/accounts/2fa/"), role
