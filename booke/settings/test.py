"""The test suite: SQLite by default, PostgreSQL when DATABASE_URL says so (as CI does)."""

from .base import *  # noqa: F401,F403
from .base import VAR_DIR

DEBUG = False
# A connection per request, as before persistent connections: the live server's threads and
# the test database's teardown never meet a connection kept open (the production setting is
# proven in tests/deploy/test_database_restart.py, under the production settings).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Whatever the environment says, the suite never reaches a real bucket; tests/storage
    # switches to S3 (moto on loopback) itself.
    "originals": {
        "BACKEND": "booker.storage.PrivateFileSystemStorage",
        "OPTIONS": {"subdir": "originals"},
    },
    "proofs": {
        "BACKEND": "booker.storage.PrivateFileSystemStorage",
        "OPTIONS": {"subdir": "proofs", "allow_overwrite": True},
    },
    "archive": {
        "BACKEND": "booker.storage.PrivateFileSystemStorage",
        "OPTIONS": {"subdir": "archive"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
# SQLite tests run in memory (Django's default): parallel runs never share a file.
Q_CLUSTER = {"name": "booke-test", "orm": "default", "sync": True, "timeout": 300, "retry": 360}
# Static files are served by the test server itself; whitenoise would want a collected folder.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]  # noqa: F405
# No shared search index between tests; those that need one use the `search_index` fixture.
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
# Off for the suite (a page cached by one test would be served to the next, whose database
# differs); tests/editorial/test_page_cache.py turns it on with a cache of its own.
PAGE_CACHE_ENABLED = False
# Rate limits count in the default cache, each test's own memory (tests/conftest.py empties it):
# one process, where the count is exact; django-ratelimit's checks only see "not shared"
# and "not officially supported".
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
