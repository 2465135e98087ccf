"""Production: every secret from the environment, HTTPS everywhere."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env, haystack_connection

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of 50+ characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# `make prod-local` (bench/stack.py) runs these very settings on plain http on loopback, where
# no proxy terminates TLS and a Secure cookie would never come back. The switch turns HTTPS
# off and nothing else, and only for loopback hosts, so it cannot weaken a real deployment.
LOCAL_HTTP = env.bool("BOOKE_LOCAL_HTTP", default=False)
if LOCAL_HTTP and not set(ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]"}:
    raise ImproperlyConfigured(
        f"BOOKE_LOCAL_HTTP is for loopback only; ALLOWED_HOSTS={ALLOWED_HOSTS} is not."
    )

# The bounce mailbox's password never crosses a network in clear: plain IMAP is for loopback.
if (BOOKE_BOUNCE_IMAP_SSL == "none"  # noqa: F405
        and BOOKE_BOUNCE_IMAP_HOST not in ("", "127.0.0.1", "localhost", "::1")):  # noqa: F405
    raise ImproperlyConfigured(
        "BOOKE_BOUNCE_IMAP_SSL=none is for a mailbox on loopback only; use ssl or starttls."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not LOCAL_HTTP)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if LOCAL_HTTP else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = not LOCAL_HTTP
CSRF_COOKIE_SECURE = not LOCAL_HTTP
OSCAR_BASKET_COOKIE_SECURE = not LOCAL_HTTP
OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = not LOCAL_HTTP

# Search (Oscar's catalogue, through haystack). Whoosh is an index in a folder: every web and
# worker process that saves a product writes to it, so with more than one machine that folder
# would have to be shared, and Whoosh's file locks are not made for network file systems.
# HAYSTACK_URL points the catalogue at a search server instead (its client library, pysolr or
# elasticsearch<8, is then installed on the hosts), and the processes keep no index of their own.
HAYSTACK_URL = env.str("HAYSTACK_URL", default="")
if HAYSTACK_URL:
    HAYSTACK_CONNECTIONS = {"default": haystack_connection(HAYSTACK_URL)}

# One cache for every process (Wagtail caches its sites' root paths, sorl-thumbnail its
# thumbnails' names): a per-process memory cache would let one gunicorn worker serve what
# another has already changed. Redis, the broker's server unless CACHE_URL names another.
CACHE_URL = env.str("CACHE_URL", default="") or REDIS_URL  # noqa: F405
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "booke",
        }
    }
    # Rate limits (booker/throttle.py) count there: Django's Redis backend adds with SET NX EX
    # and increments with INCR, atomic for every process; django-ratelimit's check only knows
    # django-redis's backend by name, hence its "not officially supported" warning.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    # Django's default cache is each process's own memory: one worker would go on serving a
    # page another has purged.
    PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=False)
    # Rate limits then count per process, each gunicorn worker on its own: still limits, N
    # workers times looser. REDIS_URL is required in production (docs/deploy.md); this is the
    # deploy check's run without services.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers: base.py's policy, enforced, and any http:// subresource fetched over https.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**CSP_DIRECTIVES, "upgrade-insecure-requests": not LOCAL_HTTP},  # noqa: F405
}
CONTENT_SECURITY_POLICY_REPORT_ONLY = None
