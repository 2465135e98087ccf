"""`make run`: the embedded defaults (SQLite, local files, ORM broker, mail in files)."""

from .base import *  # noqa: F401,F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = ["*"]

# The embedded defaults keep their database, index and files here; a fresh clone has no var/.
VAR_DIR.mkdir(parents=True, exist_ok=True)

# The demo's automations send some forty emails as soon as the worker starts: printed, they
# buried the addresses and logins under nine hundred lines. Without EMAIL_URL they are written
# to var/mail/ instead, one file per sending process and minute, to read with any text viewer.
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# `make run` is two processes (the server, the worker): one cache both see, on the disk, so
# that a purge made by one reaches the other (editorial/pagecache).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# Rate limits (booker/throttle.py) are counted in memory: `make run` serves every request from
# one runserver process, where that count is exact and atomic (a lock), while the file cache
# above cannot increment atomically. django-ratelimit's checks only see "not shared" and
# "not officially supported".
CACHES["ratelimit"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "booke-ratelimit",
}
RATELIMIT_USE_CACHE = "ratelimit"
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Security headers: the policy is reported, not enforced, while developing (the browser's
# console lists what it would block); production and the test suite enforce it.
CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY  # noqa: F405
CONTENT_SECURITY_POLICY = None
