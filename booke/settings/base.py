"""Settings shared by every environment. Everything that differs comes from the environment."""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F401,F403 -- Oscar's settings are the baseline we override

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("BOOKE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret-booke-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies of ours stand in front of the app and append to X-Forwarded-For
# (1 behind nginx or Caddy; 2 with a CDN in front of it). 0: REMOTE_ADDR is the client.
# Rate limits and download logs key on the address this gives (booker.http.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    # Ours, first so that our templates and app configs win.
    "booke",
    "editorial",
    # The page cache of the public site and the catalogue, and its purges (no models).
    "editorial.pagecache",
    "editorial.site",
    "editorial.contact",
    "editorial.comments",
    "editorial.campaigns",
    "booker",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Oscar: the apps we changed are forked into shop/, the rest is Oscar's own.
    "shop.config.BookeShop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "shop.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "shop.shipping.apps.ShippingConfig",
    "shop.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "shop.partner.apps.PartnerConfig",
    "shop.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "shop.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "shop.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "shop.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "shop.dashboard.users.apps.UsersDashboardConfig",
    "shop.dashboard.orders.apps.OrdersDashboardConfig",
    "shop.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "shop.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    # Payment methods, Stripe, invoices (not an Oscar app: ours, beside them).
    "shop.payments",
    # Personal prints of delivered photos, extra photos, the lab's list (calls the Booker).
    "shop.personal",
    # A booking's deposit paid and refunded through the checkout (calls the Booker).
    "shop.deposits",
    # "Customers also bought" and the product page's social/schema.org metadata (ours, no models).
    "shop.community",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "django_tables2",
    "sorl.thumbnail",
    # Infrastructure
    "django_q",
    "storages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before everything that reads a session or a cookie: a hit costs a cache read and no more.
    "editorial.pagecache.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # An id past the database's bigint in any URL, ours or the frameworks': 404 (last, so the
    # 404 page has the session, user and basket it renders with).
    "booker.converters.HugeIdMiddleware",
    # S3 down or hanging: a French 503 within seconds, never a 500 (booker.storage).
    "booker.http.StorageUnavailableMiddleware",
]

# --- Second factor for everyone who reaches a back office (booker/twofactor, django-otp).
# Apps after django.contrib.admin: booker.twofactor's ready() takes django-otp's device admins
# back out once the admin has discovered them (they would list every secret).
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "booker.twofactor",
]
# Right after authentication: OTPMiddleware tells whether the session passed the second factor,
# ours holds a back-office person who has not at the door of every surface.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "booker.twofactor.middleware.SecondFactorMiddleware",
)
# Besides staff and superusers, who can open a back office: the CMS and the shop's dashboard
# are opened by a permission (booker.twofactor.selectors.needs_second_factor).
BOOKE_BACK_OFFICE_PERMISSIONS = ("wagtailadmin.access_admin", "partner.dashboard_access")
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Booké"
# Should the device admins come back one day: never show a secret there.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

ROOT_URLCONF = "booke.urls"
WSGI_APPLICATION = "booke.wsgi.application"
ASGI_APPLICATION = "booke.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    },
]

# --- Database: SQLite under var/ by default, anything dj-database-url understands otherwise.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'booke.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the django-q2 worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    # A connection is kept for a minute (no new TCP + auth per request), and checked before
    # it is reused: after the database restarts, the first request on a stale connection
    # opens a fresh one instead of failing (tests/deploy/test_database_restart.py).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- One login for every surface.
AUTH_USER_MODEL = "booker.User"
AUTHENTICATION_BACKENDS = [
    "booker.auth.EmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "after-login"
LOGOUT_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = "login"
WAGTAIL_FRONTEND_LOGIN_URL = "login"
# Password reset is one flow (ours, at /accounts/password-reset/); Wagtail's would be a second.
WAGTAIL_PASSWORD_RESET_ENABLED = False
# ASVS 4.0.3 level 2 (2.1.1, 2.1.7): at least 12 characters, none of the 20,000 common
# passwords of Django's list. Their French messages come from Django's own catalogue.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Sessions and rate limits (issue 14: ASVS 3.3, 2.2.1). ------------------------------
# A session lives 7 days from its sign-in at most, whatever happens in between (Django's own
# age slides with every save; booker.session_limits counts from the sign-in): a client opens
# a gallery a few times in a week, and a stolen cookie or a forgotten shared computer stays
# useful for days, not weeks. Staff (the back offices) are signed out after
# BOOKE_STAFF_IDLE_TIMEOUT seconds without a request.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=7 * 24 * 3600)
BOOKE_STAFF_IDLE_TIMEOUT = env.int("BOOKE_STAFF_IDLE_TIMEOUT", default=30 * 60)
# After MessageMiddleware, so that the "signed out after inactivity" note reaches the login page.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "booker.session_limits.SessionLimitsMiddleware",
)
# Every limit of the project, by name (booker/throttle.py), in django-ratelimit's notation
# (count/period). Sign-ins count failures; the others count every request.
BOOKE_RATE_LIMITS = {
    # Failed sign-ins (every password check: the login page, the checkout gateway).
    "login": {"ip": "30/15m", "account": "10/15m"},
    # Reset emails: past the address's limit nothing is sent, and the page looks the same.
    "password_reset": {"ip": "10/h", "account": "3/h"},
    # For the invitation and gallery-code pages: account = the invitation or gallery.
    "invitation": {"ip": "10/h", "account": "5/h"},
    # "Mon compte"'s email change: each request sends a link to the address typed.
    "email_change": {"ip": "10/h", "account": "5/h"},
    "gallery_code": {"ip": "10/15m", "account": "30/h"},
    # The public forms (account = the email typed).
    "comments": {"ip": "5/10m", "account": "5/10m"},
    "contact": {"ip": "5/10m"},
    "newsletter": {"ip": "5/h"},
    # Online booking: each hold keeps a slot from everyone else for a few minutes, and an
    # account made on the way is a new account (issue 17).
    "booking_hold": {"ip": "30/h"},
    "booking_signup": {"ip": "10/h"},
    # Codes of the second factor, per person (account = the user's id), on top of
    # django-otp's own back-off per device.
    "second_factor": {"account": "5/5m"},
    # A family link's page (its photos are not counted): a family opens it a few times, a
    # script trying tokens many.
    "share_view": {"ip": "60/h"},
}
# django-ratelimit: its system checks (cache backend), the cache it counts in, and the
# client's address as the deployment knows it (behind TRUSTED_PROXY_COUNT proxies).
INSTALLED_APPS.append("django_ratelimit")
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "booker.http.client_ip"
# A cache outage limits nothing rather than shutting everyone out (booker/throttle.py).
RATELIMIT_FAIL_OPEN = True
# --- End of sessions and rate limits. ---------------------------------------------------

# --- Language and time: a French studio, ready for English later.
# French is the only language offered, so every visitor gets French whatever their browser's
# Accept-Language says (LocaleMiddleware only picks among LANGUAGES), and so do the CMS,
# the shop dashboard and the studio's admin. Our own strings are marked with English msgids
# and translated in locale/fr (`make messages`). To open English: add ("en", _("English"))
# here and to WAGTAILADMIN_PERMITTED_LANGUAGES, run `make messages LANGS="fr en"` and fill
# locale/en (French msgids need an English msgstr there), and translate the CMS content
# (WAGTAIL_I18N_ENABLED with wagtail.locales, or one English tree).
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Files.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# On S3 (or any S3 API: set AWS_S3_ENDPOINT_URL) when a bucket is named; on the local disk
# otherwise, which is what `make run` needs. Credentials are not settings: boto3 finds them
# itself (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment, or the host's role).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
# Originals and proofs may have a bucket of their own (other lifecycle, other people with
# access); by default they share the media bucket, under their own prefixes.
AWS_PRIVATE_BUCKET_NAME = env.str("AWS_PRIVATE_BUCKET_NAME", default="") or AWS_STORAGE_BUCKET_NAME
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="eu-west-3")
# "path" for MinIO, Garage and the like, whose buckets are not sub-domains.
AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default=None)
# A CDN in front of the bucket (its host name, e.g. media.booke.example): public media URLs
# then point at it. The private storages ignore it (custom_domain=None in s3_storages).
AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default=None)
# SigV4: signed links carry their own lifetime (X-Amz-Expires); recent regions take no other.
AWS_S3_SIGNATURE_VERSION = "s3v4"
# A signed link to a private file lives 15 minutes at most: long enough to load a gallery
# or start a download, short enough that a forwarded link is soon worthless.
AWS_QUERYSTRING_EXPIRE = 15 * 60
AWS_S3_FILE_OVERWRITE = False
# No ACL on objects: buckets with "Object Ownership: bucket owner enforced" (the AWS default
# since 2023) refuse ACLs; who may read what is the bucket policy's business.
AWS_DEFAULT_ACL = None
# When S3 is down or hangs, a request that reads or writes a file fails within seconds with a
# French message (booker.storage.StorageUnavailable) instead of holding a web worker for
# botocore's defaults (60 s per read, 5 attempts). Worst case per S3 call: attempts x
# (connect or read timeout) plus at most a second of backoff. A read timeout is the longest
# silence between two packets, not a transfer's length: large files still stream.
AWS_S3_CONNECT_TIMEOUT = env.float("AWS_S3_CONNECT_TIMEOUT", default=3.0)
AWS_S3_READ_TIMEOUT = env.float("AWS_S3_READ_TIMEOUT", default=5.0)
# Total attempts, the first one included ("standard" retry mode: throttling and 5xx too).
AWS_S3_MAX_ATTEMPTS = env.int("AWS_S3_MAX_ATTEMPTS", default=2)
# Who in the studio sees a session's files and pages (booker.selectors.may_see_session_files):
# True, every photographer sees every session (most studios are one team); False, a
# photographer sees only the sessions they shoot (PhotoSession.photographer). Retouchers see
# the sessions they hold a job in either way.
BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS = env.bool("BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS",
                                                 default=True)
# The photographers' own calendars are read from the public Internet only (booker.outbound):
# an address leading to a private network (the cloud's metadata service, the database…) is
# refused. These networks (CIDR, comma-separated) are let through on purpose: a calendar
# server on loopback in development or in the tests. Empty in production.
BOOKER_CALENDAR_ALLOWED_PRIVATE_NETWORKS = env.list("BOOKER_CALENDAR_ALLOWED_PRIVATE_NETWORKS",
                                                    default=[])
# Rush uploads (booker.uploads): the browser's part size, grown for files over 10,000 parts.
BOOKER_UPLOAD_PART_SIZE = env.int("BOOKER_UPLOAD_PART_SIZE", default=16 * 1024 * 1024)
# The largest RAW the uploader takes: a declared size above it is refused before any byte is
# sent (a 100 MP camera's RAW is ~200 MB; 4 GiB leaves room for any camera, not for abuse).
BOOKER_MAX_RAW_BYTES = env.int("BOOKER_MAX_RAW_BYTES", default=4 * 1024**3)

# How long one archive or restore run (a worker's task) takes new files: below the task
# queue's timeout (Q_CLUSTER "timeout") with room for the copy in flight, and below
# RESTORE_CHECK_MINUTES (10) so that two restore checks never overlap. The rest goes on in the
# next run: the archive queues itself again, the restore waits for the next check.
BOOKER_ARCHIVE_RUN_SECONDS = env.int("BOOKER_ARCHIVE_RUN_SECONDS", default=420)

# --- The archive tier (booker/archive.py): a delivered session's originals leave the online
# storage this many days after delivery, once their archived copy is verified.
BOOKER_ARCHIVE_AFTER_DAYS = env.int("BOOKER_ARCHIVE_AFTER_DAYS", default=90)
# On S3, the archived copies' storage class. DEEP_ARCHIVE is the cheapest and takes up to
# 12 h to restore (Standard tier); GLACIER (Flexible Retrieval) costs more and takes 3-5 h;
# GLACIER_IR is read at once, no restore, for a higher price.
BOOKER_ARCHIVE_STORAGE_CLASS = env.str("BOOKER_ARCHIVE_STORAGE_CLASS", default="DEEP_ARCHIVE")
if BOOKER_ARCHIVE_STORAGE_CLASS not in ("DEEP_ARCHIVE", "GLACIER", "GLACIER_IR"):
    raise ValueError(
        f"BOOKER_ARCHIVE_STORAGE_CLASS={BOOKER_ARCHIVE_STORAGE_CLASS!r}: use DEEP_ARCHIVE, "
        "GLACIER or GLACIER_IR."
    )
# On S3, originals bigger than this are copied between the tiers in parts (UploadPartCopy)
# rather than by one CopyObject, which S3 limits to 5 GB (booker/archive.py).
BOOKER_ARCHIVE_SINGLE_COPY_MAX = env.int("BOOKER_ARCHIVE_SINGLE_COPY_MAX",
                                         default=5 * 1024 * 1024 * 1024)
# How S3 restores an archived original (Bulk, Standard or Expedited; Expedited does not
# exist for DEEP_ARCHIVE), and how long the restored copy stays readable.
BOOKER_RESTORE_TIER = env.str("BOOKER_RESTORE_TIER", default="Standard")
BOOKER_RESTORE_DAYS = env.int("BOOKER_RESTORE_DAYS", default=7)
# How long a delivered session's photos can be downloaded (Delivery.expires_at); the client is
# reminded a week before they close.
BOOKER_DOWNLOAD_DAYS = env.int("BOOKER_DOWNLOAD_DAYS", default=180)
# How long a slot chosen online stays held while the client answers, signs and pays.
BOOKER_HOLD_MINUTES = env.int("BOOKER_HOLD_MINUTES", default=15)
# The largest file a client may attach to a booking's questionnaire.
BOOKER_BOOKING_FILE_MAX_BYTES = env.int("BOOKER_BOOKING_FILE_MAX_BYTES", default=10 * 1024**2)
# Webhooks go to public addresses only (booker.outbound), like the calendars' reads; these
# networks (CIDR, comma-separated) are let through on purpose (a receiver on loopback in
# development or the tests). Empty in production.
BOOKE_WEBHOOK_ALLOWED_PRIVATE_NETWORKS = env.list("BOOKE_WEBHOOK_ALLOWED_PRIVATE_NETWORKS",
                                                  default=[])


def s3_client_config(addressing_style: str | None = None):
    """The botocore Config of every S3 client of the site: the storages' (django-storages'
    `client_config`), and through them the uploads' and the archive's, which use
    `storage.connection.meta.client`. Given a client_config, django-storages no longer applies
    AWS_S3_ADDRESSING_STYLE nor AWS_S3_SIGNATURE_VERSION itself: they are set here."""
    from botocore.config import Config  # only when S3 is configured

    return Config(
        s3={"addressing_style": addressing_style},
        signature_version=AWS_S3_SIGNATURE_VERSION,
        connect_timeout=AWS_S3_CONNECT_TIMEOUT,
        read_timeout=AWS_S3_READ_TIMEOUT,
        retries={"mode": "standard", "total_max_attempts": AWS_S3_MAX_ATTEMPTS},
    )


_SETTING = object()


def s3_storages(
    media_bucket: str, private_bucket: str = "", *, archive_storage_class: str = "",
    addressing_style: str | None | object = _SETTING,
) -> dict[str, dict]:
    """`default`, `originals`, `proofs` and `archive` on S3. tests/storage builds its STORAGES
    with this very function, so that what is tested is what is deployed.

    Public media are read without signature from media/ (the bucket policy grants
    s3:GetObject on media/* to everyone, see docs/architecture.md); originals/ and proofs/
    are readable only through a signed link, made after the permission check.

    `addressing_style`: Django's AWS_S3_ADDRESSING_STYLE unless given (this module gives its
    own: while it runs, Django's settings are not set up)."""
    from boto3.s3.transfer import TransferConfig  # only when S3 is configured

    backend = "storages.backends.s3.S3Storage"
    private = {
        "bucket_name": private_bucket or media_bucket,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": AWS_QUERYSTRING_EXPIRE,
        "file_overwrite": False,
        # A custom domain (CDN) makes django-storages hand out unsigned URLs: never for these.
        "custom_domain": None,
    }
    if addressing_style is _SETTING:
        # The tests and the bench point the storages at a loopback server by overriding the
        # AWS_* settings, then call this: the overridden value is the one they mean.
        from django.conf import settings

        addressing_style = settings.AWS_S3_ADDRESSING_STYLE
    client_config = s3_client_config(addressing_style)
    private["client_config"] = client_config
    return {
        "default": {
            "BACKEND": backend,
            "OPTIONS": {
                "bucket_name": media_bucket,
                "location": "media",
                "default_acl": None,
                "querystring_auth": False,
                "file_overwrite": False,
                "client_config": client_config,
            },
        },
        "originals": {"BACKEND": backend, "OPTIONS": {**private, "location": "originals"}},
        # Proofs overwrite: their keys are fixed per rush, so a retried ingest (or a worker
        # that carried on after losing its lease) replaces the proof instead of adding one.
        # A proof is 1-2 MB, sent in one PUT: no transfer threads to start for each one (a
        # worker saves two per rush, and the thread pool costs more CPU than the upload).
        "proofs": {
            "BACKEND": backend,
            "OPTIONS": {**private, "location": "proofs", "file_overwrite": True,
                        "transfer_config": TransferConfig(use_threads=False)},
        },
        # Archived originals: same bucket and names under archive/, in a cold storage class
        # (objects there cannot be read before a restore).
        "archive": {
            "BACKEND": backend,
            "OPTIONS": {
                **private,
                "location": "archive",
                "object_parameters": {
                    "StorageClass": archive_storage_class or BOOKER_ARCHIVE_STORAGE_CLASS
                },
            },
        },
    }


# Locally, originals and proofs are outside MEDIA_ROOT: nothing serves them without a check.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
_private = {"BACKEND": "booker.storage.PrivateFileSystemStorage"}
if AWS_STORAGE_BUCKET_NAME:
    _file_storages = s3_storages(AWS_STORAGE_BUCKET_NAME, AWS_PRIVATE_BUCKET_NAME,
                                 addressing_style=AWS_S3_ADDRESSING_STYLE)
else:
    _file_storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "originals": {**_private, "OPTIONS": {"subdir": "originals"}},
        "proofs": {**_private, "OPTIONS": {"subdir": "proofs", "allow_overwrite": True}},
        "archive": {**_private, "OPTIONS": {"subdir": "archive"}},
    }
STORAGES = {
    **_file_storages,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Background work: django-q2, ORM broker by default, Redis when REDIS_URL is set.
REDIS_URL = env.str("REDIS_URL", default="")
Q_CLUSTER = {
    # One name per site sharing a broker (it also salts the tasks' signatures).
    "name": env.str("Q_NAME", default="booke"),
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 600,
    "retry": 900,
    "max_attempts": 3,
    "catch_up": False,
    "label": "Tâches",
}
# The colour label the XMP sidecars give the client's picks (booker.proofing.exports): one of
# Lightroom's default set (Red, Yellow, Green, Blue, Purple), or the studio's own label name.
BOOKER_XMP_LABEL = env.str("BOOKER_XMP_LABEL", default="Green")
# How long the cluster's parent waits, after TERM or Ctrl-C, for the cluster to stop before it
# ends what is left (booker/management/commands/qcluster.py): below systemd's 10 s default
# between TERM and KILL. A task cut short is delivered again.
BOOKER_WORKER_STOP_SECONDS = env.float("BOOKER_WORKER_STOP_SECONDS", default=8.0)
# Ingest (booker/ingest.py). The task's timeout is shorter than the claim's lease, so a rush
# whose lease ran out has no live worker; the scheduler's sweeper then queues it again.
BOOKER_INGEST_TIMEOUT_SECONDS = env.int("BOOKER_INGEST_TIMEOUT_SECONDS", default=240)
BOOKER_INGEST_LEASE_SECONDS = env.int("BOOKER_INGEST_LEASE_SECONDS", default=300)
if BOOKER_INGEST_LEASE_SECONDS <= BOOKER_INGEST_TIMEOUT_SECONDS:
    raise ValueError("BOOKER_INGEST_LEASE_SECONDS must be longer than "
                     "BOOKER_INGEST_TIMEOUT_SECONDS (a live worker's rush is never taken over).")
# A file whose worker dies this many times in a row fails, rather than coming back for ever.
BOOKER_INGEST_MAX_ATTEMPTS = env.int("BOOKER_INGEST_MAX_ATTEMPTS", default=3)
# Where an original read from S3 is streamed for decoding (unlinked at once); default: TMPDIR.
BOOKER_INGEST_TMP_DIR = env.str("BOOKER_INGEST_TMP_DIR", default="")
# LibRaw runs its OpenMP loops on one thread. Its thread pool does not survive a fork: a process
# that decoded a RAW itself (a test, a command) and then forks the ingest's decoding child
# (booker/intake/ingest.py) left the child waiting for threads that are not there, until the
# time limit. The parallelism is the workers, one rush each. Read once, as rawpy loads: here,
# before any import of it; the environment's own value wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Mail.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds an SMTP connection may stay silent: a mail server that hangs makes a send fail in
# seconds and wait its retry (booker.automation.sender), never holds a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Studio Booké <bonjour@booke.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Campaigns (booker/marketing/sender.py) go out in batches of this many emails, one batch every
# this many seconds: 50 a minute by default, a pace a shared mail server accepts.
BOOKER_CAMPAIGN_BATCH_SIZE = env.int("BOOKER_CAMPAIGN_BATCH_SIZE", default=50)
BOOKER_CAMPAIGN_BATCH_SECONDS = env.int("BOOKER_CAMPAIGN_BATCH_SECONDS", default=60)
# The mailbox of the `mailto:` in campaigns' List-Unsubscribe (the studio's email when empty);
# staff act on what arrives there, the https one-click link is withdrawn at once.
BOOKER_UNSUBSCRIBE_MAILTO = env.str("BOOKER_UNSUBSCRIBE_MAILTO", default="")
# Late bounces (booker/bounces): relays accept an email and report its failure later, as a
# delivery status notification to the envelope sender. With BOOKE_BOUNCE_ADDRESS set, every
# email goes out with it as envelope sender (From unchanged) and an X-Booke-Ref header; the
# worker reads that mailbox over IMAP every 15 minutes and records the hard bounces. Empty
# address: emails go out as before; empty IMAP host: the mailbox is not read.
BOOKE_BOUNCE_ADDRESS = env.str("BOOKE_BOUNCE_ADDRESS", default="")
BOOKE_BOUNCE_IMAP_HOST = env.str("BOOKE_BOUNCE_IMAP_HOST", default="")
BOOKE_BOUNCE_IMAP_PORT = env.int("BOOKE_BOUNCE_IMAP_PORT", default=993)
BOOKE_BOUNCE_IMAP_USER = env.str("BOOKE_BOUNCE_IMAP_USER", default="")
BOOKE_BOUNCE_IMAP_PASSWORD = env.str("BOOKE_BOUNCE_IMAP_PASSWORD", default="")
# "ssl" (IMAPS, port 993), "starttls" (port 143, upgraded), or "none" (loopback tests only).
BOOKE_BOUNCE_IMAP_SSL = env.str("BOOKE_BOUNCE_IMAP_SSL", default="ssl")
if BOOKE_BOUNCE_IMAP_SSL not in ("ssl", "starttls", "none"):
    raise ValueError(f"BOOKE_BOUNCE_IMAP_SSL={BOOKE_BOUNCE_IMAP_SSL!r}: use ssl, starttls or none")
BOOKE_BOUNCE_IMAP_FOLDER = env.str("BOOKE_BOUNCE_IMAP_FOLDER", default="INBOX")
# An address with this many hard bounces within BOOKE_BOUNCE_DAYS is undeliverable: campaigns
# skip it (booker.bounces.selectors.undeliverable). 0: never.
BOOKE_BOUNCE_LIMIT = env.int("BOOKE_BOUNCE_LIMIT", default=2)
BOOKE_BOUNCE_DAYS = env.int("BOOKE_BOUNCE_DAYS", default=180)

# --- Wagtail.
WAGTAIL_SITE_NAME = "Booké"
# The site's public address, scheme://host[:port] with no path: the one source of every
# absolute URL the site writes (emails, canonical links, feeds, sitemaps, JSON-LD, Stripe's
# return pages), whatever host a request came on (booker.mail.absolute_url). Wagtail's admin
# reads it as WAGTAILADMIN_BASE_URL.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis")):
    # Pages are in French: stem them as French ("mariages" finds "Mariage", "chevaux" finds
    # "Cheval"), not with the server's default_text_search_config (english or simple). The
    # configuration is PostgreSQL's 'french' without its stop words (editorial migration
    # 0008). The index keeps the stems it was written with: run `manage.py update_index` once
    # after changing this. SQLite's FTS5 has no French stemmer: there, exact words only.
    WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] = "booke_french"
WAGTAIL_I18N_ENABLED = False
# The CMS in the site's language: no per-editor language choice while there is one language
# (Wagtail otherwise offers its ~40 admin languages in each editor's account settings).
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français")]
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx", "zip"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Page cache (editorial/pagecache): anonymous pages of the site and the catalogue, from the
# default cache. Each process must see the others' purges, so a per-process memory cache turns
# it off (production without CACHE_URL) unless a setting says otherwise.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)
PAGE_CACHE_ALIAS = "default"
# How long a page stays in the server's cache: purges keep it fresh, this only bounds memory.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=3600)
# Browsers: 0, since nothing can purge them and a publish (or an approved comment) must show
# on the next visit, even a visitor's reload; they ask again, and the server's cache answers.
# Shared caches (a CDN): longer, a publish purges them.
PAGE_CACHE_MAX_AGE = env.int("PAGE_CACHE_MAX_AGE", default=0)
PAGE_CACHE_S_MAXAGE = env.int("PAGE_CACHE_S_MAXAGE", default=300)
PAGE_CACHE_EXCLUDED_PREFIXES = (
    "/admin/", "/cms/", "/dashboard/", "/portal/", "/accounts/", "/after-login/", "/i18n/",
    "/documents/", "/media/", "/static/", "/healthz", "/bench/",
    # Online booking: the free days and slots change with every booking, never a stale page.
    "/reserver/",
    # The visitor fragment of the cached pages: someone's own, by definition.
    "/visiteur/",
)
# Under /shop/ only the catalogue (its index, categories, product pages) is cached; the basket,
# checkout, accounts, search and personal prints never are, nor /shop/historique/ (a visitor's
# "recently viewed" fragment and the view beacon of the product page: shop/history).
PAGE_CACHE_SHOP_PREFIX = "/shop/"
PAGE_CACHE_SHOP_PAGES = ("/shop/catalogue/",)

# A CDN in front of the site, purged by wagtail.contrib.frontend_cache when a page is published
# (and by editorial/pagecache for a product's page). Off unless one of these is set:
# FRONTEND_CACHE_URL (an HTTP purger: Varnish, Squid, nginx), CLOUDFLARE_ZONE_ID with
# CLOUDFLARE_API_TOKEN, or CLOUDFRONT_DISTRIBUTION_ID (credentials as boto3 finds them).
WAGTAILFRONTENDCACHE = {}
if env.str("FRONTEND_CACHE_URL", default=""):
    WAGTAILFRONTENDCACHE["http"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env.str("FRONTEND_CACHE_URL"),
    }
if env.str("CLOUDFLARE_ZONE_ID", default=""):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": env.str("CLOUDFLARE_ZONE_ID"),
        "BEARER_TOKEN": env.str("CLOUDFLARE_API_TOKEN"),
    }
if env.str("CLOUDFRONT_DISTRIBUTION_ID", default=""):
    WAGTAILFRONTENDCACHE["cloudfront"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
        "DISTRIBUTION_ID": env.str("CLOUDFRONT_DISTRIBUTION_ID"),
    }
if WAGTAILFRONTENDCACHE:
    # Its signal handlers purge a page's URLs from the CDN when it is published or unpublished.
    INSTALLED_APPS.append("wagtail.contrib.frontend_cache")

# `python -m bench pages` only: a trivial view through the whole middleware stack (bench/pages.py).
BOOKE_BENCH_VIEWS = env.bool("BOOKE_BENCH_VIEWS", default=False)

# --- Oscar.
OSCAR_SHOP_NAME = "Booké"
OSCAR_SHOP_TAGLINE = "Tirages d'art et albums"
OSCAR_DEFAULT_CURRENCY = "EUR"
# Whether the prices typed in the dashboard (stock records) include VAT: a French shop selling
# to people types what they pay, TTC (shop.partner.strategy). Decided once: switching it reads
# every stored price the other way, so the prices are typed again after a switch.
BOOKE_PRICES_INCLUDE_TAX = env.bool("BOOKE_PRICES_INCLUDE_TAX", default=True)
# The shop's own mailbox (e.g. boutique@…): when set, the emails for "the shop managers" (a new
# order, an overdue invoice…) go there, where whoever runs the shop that day reads them, instead
# of to each shop manager's own address.
BOOKE_SHOP_ORDERS_EMAIL = env.str("SHOP_ORDERS_EMAIL", default="")
# The lab's list of personal prints (shop.personal), under Oscar's "Fulfilment" menu.
OSCAR_DASHBOARD_NAVIGATION = [
    {
        **item,
        "children": [
            *item["children"],
            {"label": _("Tirages personnels"), "url_name": "dashboard:personal-prints"},
        ],
    }
    if any(c.get("url_name") == "dashboard:order-list" for c in item.get("children", ()))
    else item
    for item in OSCAR_DASHBOARD_NAVIGATION  # noqa: F405 -- from oscar.defaults
]
OSCAR_HOMEPAGE = "/shop/catalogue/"
# A review shows once a shop manager approves it in the dashboard; only logged-in customers
# write them, so that each has an account behind it and one review per product.
OSCAR_MODERATE_REVIEWS = True
OSCAR_ALLOW_ANON_REVIEWS = False
# Oscar 4.2 builds its catalogue pages from a haystack index, and haystack's simple backend
# cannot apply Oscar's filters (it shows an empty catalogue). Whoosh is a pure-Python index in
# a folder: right for one server; a multi-server deployment points haystack at Solr or
# Elasticsearch instead. Wagtail keeps its own search backend; the two share nothing.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": env.str("HAYSTACK_WHOOSH_PATH", default=str(VAR_DIR / "whoosh")),
    }
}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.RealtimeSignalProcessor"


def haystack_connection(url: str) -> dict:
    """A haystack connection from a URL (production's HAYSTACK_URL): `solr://host:8983/solr/core`
    or `elasticsearch://host:9200/index` (`solrs://`, `elasticsearchs://` for https)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    scheme, http = {
        "solr": ("solr", "http"), "solrs": ("solr", "https"),
        "elasticsearch": ("elasticsearch", "http"), "elasticsearchs": ("elasticsearch", "https"),
    }.get(parts.scheme, ("", ""))
    path = parts.path.strip("/")
    if scheme == "solr" and path:
        return {"ENGINE": "haystack.backends.solr_backend.SolrEngine",
                "URL": f"{http}://{parts.netloc}/{path}"}
    if scheme == "elasticsearch" and path and "/" not in path:
        return {"ENGINE": "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine",
                "URL": f"{http}://{parts.netloc}/", "INDEX_NAME": path}
    raise ValueError(
        f"HAYSTACK_URL={url!r}: use solr://host:port/solr/<core> or "
        "elasticsearch://host:port/<index> (solrs://, elasticsearchs:// for https)."
    )
# Whoosh cannot facet; Oscar's default facets would show stemmed words ("tirag").
OSCAR_SEARCH_FACETS = {"fields": {}, "queries": {}}
SITE_ID = 1

# --- Shipping (shop.shipping): pickup at the studio, free, at this address (the studio's own by
# default); postal rates are set in the dashboard. A client's prints of their own photos are
# handed over at the studio with the session unless SHOP_POST_PERSONAL_PRINTS is on.
SHOP_PICKUP_ADDRESS = env.str("SHOP_PICKUP_ADDRESS", default="")
SHOP_POST_PERSONAL_PRINTS = env.bool("SHOP_POST_PERSONAL_PRINTS", default=False)
# The carrier's tracking page, "{number}" standing for the parcel's tracking number (e.g.
# "https://www.laposte.fr/outils/suivre-vos-envois?code={number}"); empty: no link.
SHOP_TRACKING_URL = env.str("SHOP_TRACKING_URL", default="")
# Postal rates are typed VAT included; delivery takes the VAT of the goods it carries.
SHOP_SHIPPING_VAT_RATE = "0.20"

# --- Shop payments (shop.payments). Without STRIPE_SECRET_KEY, checkout offers only the
# methods that need no keys (at the studio / bank transfer, and on invoice for those allowed).
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Tests point it at a local fake; nothing else should change it.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
# A visitor may buy a print without an account (Oscar asks for an email instead).
OSCAR_ALLOW_ANON_CHECKOUT = True
# Order statuses, in French since the dashboard shows them as they are. Every order starts
# awaiting payment; a card order is marked paid in the same transaction that places it.
ORDER_AWAITING_PAYMENT = "En attente de paiement"
ORDER_PAID = "Payée"
ORDER_PREPARING = "En préparation"
ORDER_SHIPPED = "Expédiée"
ORDER_DONE = "Terminée"
ORDER_CANCELLED = "Annulée"
ORDER_REFUNDED = "Remboursée"
# Money came in but not the order's total (or not in its currency): nothing is unlocked until
# the shop manager accepts it (→ paid), refunds it or cancels the order (shop.payments.services).
ORDER_PAYMENT_CHECK = "Paiement à vérifier"
OSCAR_INITIAL_ORDER_STATUS = ORDER_AWAITING_PAYMENT
OSCAR_ORDER_STATUS_PIPELINE = {
    ORDER_AWAITING_PAYMENT: (ORDER_PAID, ORDER_PAYMENT_CHECK, ORDER_CANCELLED),
    ORDER_PAYMENT_CHECK: (ORDER_PAID, ORDER_CANCELLED, ORDER_REFUNDED),
    ORDER_PAID: (ORDER_PREPARING, ORDER_SHIPPED, ORDER_DONE, ORDER_REFUNDED),
    ORDER_PREPARING: (ORDER_SHIPPED, ORDER_DONE, ORDER_REFUNDED),
    ORDER_SHIPPED: (ORDER_DONE, ORDER_REFUNDED),
    ORDER_DONE: (ORDER_REFUNDED,),
    ORDER_CANCELLED: (),
    ORDER_REFUNDED: (),
}
# The seller on invoices (French legal mentions). Demo values: set the real ones in production.
BOOKE_STUDIO = {
    "name": env.str("STUDIO_LEGAL_NAME", default="Studio Booké SARL"),
    "address": env.str("STUDIO_ADDRESS", default="8 rue des Photographes\n69002 Lyon"),
    "siret": env.str("STUDIO_SIRET", default="85234567800017"),
    "vat_number": env.str("STUDIO_VAT_NUMBER", default="FR32852345678"),
    "legal_form": env.str("STUDIO_LEGAL_FORM", default="SARL au capital de 10 000 €"),
    "rcs": env.str("STUDIO_RCS", default="RCS Lyon 852 345 678"),
    "iban": env.str("STUDIO_IBAN", default="FR76 3000 4000 0500 0012 3456 789"),
    "bic": env.str("STUDIO_BIC", default="BNPAFRPPLYO"),
    "email": env.str("STUDIO_BILLING_EMAIL", default="facturation@booke.localhost"),
}
BOOKE_INVOICE_DUE_DAYS = 30
# Invoice reminders (a daily django-q2 schedule; manage.py send_invoice_reminders by hand):
# "invoice due" this many days before the due date, "invoice overdue" the day after it, each
# once per unpaid invoice (the automation rules say what is sent).
BOOKE_INVOICE_REMIND_BEFORE_DAYS = 3

# --- Studio.
STUDIO_WATERMARK = env.str("STUDIO_WATERMARK", default="© Studio Booké")
STUDIO_SAMPLES_DIR = Path(
    env.str("BOOKE_SAMPLES_DIR", default=str(BASE_DIR.parent / "shared" / "samples"))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "booker": {"level": "INFO"},
        "shop": {"level": "INFO"},
        "editorial": {"level": "INFO"},
    },
}

# ============================================================================================
# Security headers (issue 14): Content-Security-Policy, Permissions-Policy, SameSite cookies.
# One block, kept apart from the rest so that it merges alone. Why each source is there:
# docs/architecture.md, "Headers". booke/headers.py adds at request time the origins that
# depend on other settings: the S3 bucket (connect-src, img-src) and Stripe (form-action).
import base64  # noqa: E402 -- this block's own imports
import hashlib  # noqa: E402

from csp.constants import NONCE, NONE, SELF, UNSAFE_HASHES, UNSAFE_INLINE  # noqa: E402

INSTALLED_APPS.append("csp")
# Permissions-Policy first, on every response (static files too); the CSP before the page
# cache, so that a cached page gets the header made for its own response.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "booke.headers.PermissionsPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("editorial.pagecache.middleware.PageCacheMiddleware"),
    "booke.headers.BookeCSPMiddleware",
)
# Oscar's basket middleware, setting its cookie SameSite (shop/middleware.py).
MIDDLEWARE[MIDDLEWARE.index("oscar.apps.basket.middleware.BasketMiddleware")] = (
    "shop.middleware.BasketMiddleware"
)


def csp_hash(code: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()}'"


# The on…= attributes left in Oscar's templates we do not override, each a fixed string (go
# back, print, close the popup): allowed by their exact hash, so that an injected handler,
# which would have to be one of these very strings to run, can do nothing else.
CSP_OSCAR_HANDLERS = (
    "window.history.go(-1);return false",  # partials/form.html, dashboard forms
    "history.go(-1);return false",  # customer/wishlists/wishlists_form.html
    "javascript:history.go(-1);",  # error.html, 500.html
    "window.close();return false;",  # dashboard/catalogue/attribute_option_group_delete.html
)

CSP_DIRECTIVES = {
    "default-src": [SELF],
    # Our scripts are static files; the few inline ones (Oscar's onload block, the portal's
    # "js" class) carry the response's nonce. No 'unsafe-inline' (but in /cms/, below) and no
    # 'unsafe-eval': an injected <script> never runs.
    "script-src": [SELF, NONCE],
    # Handler attributes: only Oscar's fixed ones above ('unsafe-hashes' lets a hash match an
    # attribute). Browsers without script-src-attr fall back to script-src: none run there.
    "script-src-attr": [UNSAFE_HASHES, *map(csp_hash, CSP_OSCAR_HANDLERS)],
    # Style attributes are everywhere in Wagtail's, Oscar's and Django's admin templates (and
    # the print line's crop box): allowed, since CSS cannot run script. The risk left is
    # restyling a page, which script-src and the escaping of every template bound.
    "style-src": [SELF, UNSAFE_INLINE],
    # data: and blob: for Wagtail's image previews and placeholders; the bucket (or its CDN)
    # is added when files are on S3.
    "img-src": [SELF, "data:", "blob:"],
    "font-src": [SELF, "data:"],
    # The bucket is added when files are on S3 (the browser PUTs rush parts there).
    "connect-src": [SELF],
    # The rush uploader's SHA-256 worker (static/booker/sha256.js).
    "worker-src": [SELF],
    # Wagtail's preview is an iframe of our own page; nothing embeds third-party frames.
    "frame-src": [SELF],
    # As X-Frame-Options SAMEORIGIN: Wagtail's preview frames our pages, nobody else may.
    "frame-ancestors": [SELF],
    # Stripe Checkout is added when card payment is on (a redirect answering our form).
    "form-action": [SELF],
    "base-uri": [SELF],
    "object-src": [NONE],
}
# Wagtail's admin writes inline scripts from Python (every chooser widget: BaseChooser.render)
# and its JS inserts more; none can carry a nonce (wagtail/wagtail#1288, open). On its pages
# only, inline scripts run, and no nonce is sent (a nonce would turn 'unsafe-inline' off);
# every other directive is the site's. The CMS is for logged-in editors only.
CSP_CMS_PREFIX = "/cms/"
CSP_CMS_REPLACE = {"script-src": [SELF, UNSAFE_INLINE]}
# Enforced by default (production, the test suite); dev.py makes it report-only.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}
# Stripe's hosted payment page, for form-action (booke.headers.checkout_origins).
STRIPE_CHECKOUT_ORIGIN = env.str("STRIPE_CHECKOUT_ORIGIN", default="https://checkout.stripe.com")
# Wagtail's admin would load each editor's avatar from gravatar.com: a third party told who
# works in the CMS, and an origin the policy would have to allow. Initials instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the CMS dashboard ask releases.wagtail.org for new versions (upgrades are ours).
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Powerful browser features the site never uses are off for every page and every frame in it.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    # Stripe Checkout is a page of Stripe's own; ours never call the Payment Request API.
    "payment": [],
    "usb": [],
    "browsing-topics": [],
}
# Oscar sets its basket cookie without SameSite (shop/middleware.py sets it): Lax, like the
# session's, so a cross-site POST never carries an anonymous visitor's basket.
OSCAR_BASKET_COOKIE_SAMESITE = "Lax"
# ============================================================================================
