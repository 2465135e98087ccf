import uuid

import haystack
import pytest
from django.test.client import ClientMixin


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes its files to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path):
    """Originals and proofs too: each test has its own private folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def search_index(settings, tmp_path):
    """Oscar lists the catalogue from a Haystack index, not from the database: each test gets
    its own Whoosh index, so that what one test seeds never shows up in another."""
    try:
        import whoosh  # noqa: F401
    except ImportError:
        pytest.fail("the shop's catalogue needs Whoosh for Haystack: install whoosh-reloaded")
    previous = haystack.connections.connections_info
    settings.HAYSTACK_CONNECTIONS = {
        "default": {
            "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
            "PATH": str(tmp_path / "whoosh"),
        }
    }
    haystack.connections.connections_info = settings.HAYSTACK_CONNECTIONS
    haystack.connections.reload("default")
    yield
    haystack.connections.connections_info = previous
    haystack.connections.reload("default")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached site chrome and rate-limit counters are
    keyed by ids that the next test's database reuses."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_cache(settings):
    """The page cache (editorial/pagecache) on, in a memory cache of this test's own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"pagecache-{uuid.uuid4()}",
        }
    }
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login` skips the password; for a back-office person it also skips the
    second factor (a confirmed authenticator app, and a session marked as having passed it),
    which is the same promise. Tests of the second factor itself log in through the pages
    (tests/otp.py)."""
    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        from django_otp import DEVICE_ID_SESSION_KEY

        from booker.models import User
        from booker.twofactor.selectors import needs_second_factor
        from tests.otp import confirmed_device

        # A fresh copy: has_perm caches the permissions on the object the test holds.
        fresh = User.objects.get(pk=user.pk)
        if needs_second_factor(fresh):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = confirmed_device(fresh).persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


def pytest_collection_modifyitems(items):
    """A test that really commits (`django_db(transaction=True)`) empties the database when it
    ends: the rows the migrations made (roles, the site, Wagtail's root page) are gone for the
    tests after it. pytest-django runs such tests last; with pytest-xdist a worker runs whole
    files in turn, so `make test` runs them in a pass of their own (`-m transactional`)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction"):
            item.add_marker(pytest.mark.transactional)
