"""Every surface of the studio under one login: site (Wagtail), shop (Oscar), portal (Booker),
and the three back offices — /admin/ (photographers), /cms/ (editors), /dashboard/ (shop)."""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from booke import views
from editorial import feeds
from editorial import views as editorial_views
from editorial.site import views as site_views
from shop import customer_orders, customer_profile, registration


def to_login():
    """Each framework ships a login page; all of them send people to the one login page."""
    return RedirectView.as_view(url=reverse_lazy("login"), query_string=True)


def to(name: str):
    return RedirectView.as_view(url=reverse_lazy(name), query_string=True)


urlpatterns = [
    path("accounts/", include("booker.urls.accounts")),
    path("after-login/", views.after_login, name="after-login"),
    path("portal/", include("booker.urls.portal")),
    # Online booking: session types, free slots, a held booking's steps (booker/views/booking.py).
    path("reserver/", include("booker.urls.booking")),
    # The photographers' private calendar feeds (a secret token each).
    path("calendrier/", include("booker.urls.calendars")),
    # A client's view-only link to their delivered photos, for family (booker/views/delivered.py).
    path("partage/", include("booker.urls.share")),
    # The one login: the frameworks' own login and password-reset pages forward to ours.
    path("admin/login/", to_login()),
    path("admin/password_reset/", to("password_reset")),
    path("admin/", admin.site.urls),
    path("cms/login/", to_login()),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Invoice download and the dashboard's payment actions (before the shop and dashboard).
    path("", include("shop.payments.urls")),
    path("dashboard/login/", to_login()),
    path("dashboard/", apps.get_app_config("dashboard").urls),
    path("shop/accounts/login/", to_login()),
    path("shop/password-reset/", to("password_reset")),
    path("shop/prints/", include("shop.personal.urls")),
    # A booking's deposit into the basket, then the checkout (shop/deposits).
    path("shop/acompte/", include("shop.deposits.urls")),
    # The product page's view beacon and "recently viewed" fragment (shop/history).
    path("shop/historique/", include("shop.history.urls")),
    # Oscar's order-line page without its missing template (shop/customer_orders.py).
    path(
        "shop/accounts/orders/<str:order_number>/<id:line_id>/",
        login_required(customer_orders.OrderLineView.as_view()),
    ),
    # Oscar's profile page, its address left to "Mon compte" (shop/customer_profile.py).
    path("shop/accounts/profile/edit/",
         login_required(customer_profile.ProfileUpdateView.as_view())),
    # Oscar's sign-up, landing on "Mon compte" (shop/registration.py).
    path("shop/accounts/register/", registration.AccountRegistrationView.as_view()),
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
    path("i18n/", include("django.conf.urls.i18n")),
    path("newsletter/", include("editorial.contact.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("recherche/", editorial_views.search, name="site-search"),
    # The visitor's own bits of a page the page cache served them shared (editorial/site).
    path("visiteur/", site_views.visitor, name="visitor"),
    path("sitemap.xml", editorial_views.sitemap, name="sitemap"),
    path("robots.txt", editorial_views.robots_txt, name="robots-txt"),
    path("feeds/journal/<id:index_id>/rss/", feeds.rss, name="blog-feed-rss"),
    path("feeds/journal/<id:index_id>/atom/", feeds.atom, name="blog-feed-atom"),
    path(
        "feeds/journal/<id:index_id>/categorie/<slug:category_slug>/rss/",
        feeds.category_rss,
        name="blog-category-feed-rss",
    ),
    path(
        "feeds/journal/<id:index_id>/categorie/<slug:category_slug>/atom/",
        feeds.category_atom,
        name="blog-category-feed-atom",
    ),
    path("commentaires/", include("editorial.comments.urls")),
]

if settings.BOOKE_BENCH_VIEWS:
    # bench/pages.py's yardstick: the whole middleware stack, no database, a tiny response.
    urlpatterns += [path("bench/minimal", views.bench_minimal)]

if settings.DEBUG or not settings.AWS_STORAGE_BUCKET_NAME:
    # Local-file default: Django serves media itself (S3 serves it in production).
    from django.views.static import serve

    urlpatterns += [
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

urlpatterns += [
    # Wagtail's page tree owns everything else, starting with the home page at /.
    path("", include(wagtail_urls)),
]
