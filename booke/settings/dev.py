"""`make run`: the embedded defaults (SQLite, local files, ORM broker, console mail)."""

from .base import *  # noqa: F401,F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = ["*"]

# The embedded defaults keep their database, index and files here; a fresh clone has no var/.
VAR_DIR.mkdir(parents=True, exist_ok=True)

# `make run` is two processes (the server, the worker): one cache both see, on the disk, so
# that a purge made by one reaches the other (editorial/pagecache).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# Security headers: the policy is reported, not enforced, while developing (the browser's
# console lists what it would block); production and the test suite enforce it.
CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY  # noqa: F405
CONTENT_SECURITY_POLICY = None
