import fcntl
import hashlib
import shutil
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from inspect import ismodule
from pathlib import Path
from urllib.parse import quote as url_quote

import haystack
import pytest
from django.test.client import ClientMixin

from bench import stack

# Markers given by where a test lives (pyproject.toml describes them; `make test-quick`
# deselects them). A single slow test elsewhere carries @pytest.mark.slow itself.
MARKED_FOLDERS = {
    "tests/bench/": "bench",
    "tests/deploy/": "deploy",
    "tests/browser/": "browser",
}
SLOW_MODULES = (
    # real qcluster processes on a database file they migrate
    "tests/booker/test_worker.py",
    "tests/booker/test_fuzzed_raws.py",
    # every URL for every person, every admin form for every role: a world built per module
    "tests/booke/test_access_policy.py",
    "tests/booke/test_roles_cannot_climb.py",
    # an S3 server (moto) on loopback
    "tests/storage/test_s3.py",
    "tests/storage/test_archive_s3.py",
    "tests/storage/test_uploads_s3.py",
    "tests/storage/test_s3_down.py",
)
# The longest modules (minutes each, measured with --durations=0), longest first: with
# `--dist loadfile` a worker takes a whole module, so starting with them keeps one of them from
# being the last thing the run waits for.
LONGEST_FIRST = (
    "tests/booker/test_worker.py",
    "tests/booker/test_fuzzed_raws.py",
    "tests/booke/test_access_policy.py",
    "tests/bench/test_pages.py",
    "tests/bench/test_load.py",
    "tests/deploy/test_prod_local.py",
    "tests/deploy/test_stopping.py",
    "tests/booker/test_worker_archive.py",
    "tests/bench/test_upload.py",
    "tests/booke/test_roles_cannot_climb.py",
)


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


def pytest_collection_modifyitems(config, items):
    """Markers from the test's folder or module (see MARKED_FOLDERS), and the longest
    modules first.

    A test that really commits (`django_db(transaction=True)`) empties the database when it
    ends: the rows the migrations made (roles, the site, Wagtail's root page) are gone for the
    tests after it. pytest-django runs such tests last; with pytest-xdist a worker runs whole
    files in turn, so `make test` runs them in a pass of their own, with the browser tests."""
    root = Path(str(config.rootpath))
    for item in items:
        where = Path(str(item.path)).relative_to(root).as_posix()
        for folder, name in MARKED_FOLDERS.items():
            if where.startswith(folder):
                item.add_marker(name)
        if where in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction"):
            item.add_marker(pytest.mark.transactional)

    def order(item) -> tuple[int, int]:
        # pytest-django has put the tests that commit last (a stable sort keeps them there).
        last = item.get_closest_marker("transactional") or item.get_closest_marker("browser")
        where = Path(str(item.path)).relative_to(root).as_posix()
        longest = LONGEST_FIRST.index(where) if where in LONGEST_FIRST else len(LONGEST_FIRST)
        return (1 if last else 0, longest)

    items.sort(key=order)


# --- The test database, migrated once and copied.
# Migrating an empty database takes a minute or more (Django, Wagtail, Oscar: some 400
# migrations), and each process of a run needs its own database: every xdist worker, the pass
# of the tests that commit. So the first process to need it migrates a template, kept for the
# next runs, and every test database is a copy of it: CREATE DATABASE ... TEMPLATE on
# PostgreSQL (a fraction of a second), SQLite's backup into the in-memory database. The
# template's name carries a hash of the migrations (and of what they import from our code),
# so a new or edited migration builds a new one; older ones are removed then.


@cache
def _loader():
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(None, ignore_no_migrations=True)


def _migrations_key() -> str:
    from django.apps import apps
    from django.conf import settings

    loader = _loader()
    base_dir = Path(settings.BASE_DIR).resolve()
    modules: set[str] = set()
    for migration in loader.disk_migrations.values():
        module = sys.modules[migration.__module__]
        modules.add(module.__name__)
        # Our data migrations call our code (booker/roles.py): a change there changes the rows.
        for value in vars(module).values():
            owner = value if ismodule(value) else sys.modules.get(getattr(value, "__module__", ""))
            path = getattr(owner, "__file__", None) if owner else None
            if path and Path(path).resolve().is_relative_to(base_dir) and (
                "site-packages" not in Path(path).resolve().parts
            ):
                modules.add(owner.__name__)
    for label in loader.unmigrated_apps:  # their tables come from the models (run_syncdb)
        models_module = apps.get_app_config(label).models_module
        if models_module is not None:
            modules.add(models_module.__name__)
    digest = hashlib.sha256()
    for name in sorted(modules):
        digest.update(name.encode())
        digest.update(Path(sys.modules[name].__file__).read_bytes())
    # Rows made after `migrate` from declarations in code: the automation engine's default
    # rules and email templates (booker/automation/defaults.py and the modules that declare
    # theirs, with their template files).
    for path in sorted(_post_migrate_sources(base_dir)):
        digest.update(path.relative_to(base_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _post_migrate_sources(base_dir: Path) -> list[Path]:
    found = []
    for app in ("booker", "shop", "editorial"):
        for path in (base_dir / app).rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if "default_templates" in path.parts:
                found.append(path)
            elif path.suffix == ".py" and (
                b"DefaultRule(" in (data := path.read_bytes()) or b"DefaultTemplate(" in data
            ):
                found.append(path)
    return found


def _migrate_into(connection, name: str, verbosity: int) -> None:
    """Migrate the (empty) database `name` as Django's create_test_db does."""
    from django.conf import settings
    from django.core.management import call_command

    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    call_command(
        "migrate",
        verbosity=max(verbosity - 1, 0),
        interactive=False,
        database=connection.alias,
        run_syncdb=True,
    )
    call_command("createcachetable", database=connection.alias)


def _use(connection, name: str) -> None:
    from django.conf import settings

    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _sync_unmigrated_models(connection) -> None:
    """Tables of apps without migrations come from the models registered when migrate runs
    (run_syncdb), and importing a module can register one more: Oscar's test factories add
    oscar.Band. The template has those of the process that built it; the others are made
    here, as migrate would have made them."""
    from django.apps import apps
    from django.db import router

    existing = set(connection.introspection.table_names())
    missing = [
        model
        for label in _loader().unmigrated_apps
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.db_table not in existing
        and router.allow_migrate_model(connection.alias, model)
    ]
    if missing:
        with connection.schema_editor() as editor:
            for model in missing:
                editor.create_model(model)


def _server_url(settings_dict: dict) -> str:
    user = url_quote(settings_dict.get("USER") or "", safe="")
    password = url_quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def _postgresql_from_template(creation, verbosity: int) -> str:
    connection = creation.connection
    quote = connection.ops.quote_name
    test_name = creation._get_test_db_name()
    # One template per configured database name: runs on other names never share it.
    prefix = f"{connection.settings_dict['NAME']}_template_"[:50]
    template = prefix + _migrations_key()
    with creation._nodb_cursor() as cursor:
        # One process at a time builds or copies (copying needs the template untouched).
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [prefix])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if cursor.fetchone() is None:
                building = template + "_wip"
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(building)}")
                # From the schema the subprocess tests share (bench.stack): then `migrate` here
                # has only the rows of our code left to bring up to date.
                shared = stack.postgres_template(_server_url(connection.settings_dict))
                cursor.execute(f"CREATE DATABASE {quote(building)} TEMPLATE {quote(shared)}")
                _migrate_into(connection, building, verbosity)
                connection.close()
                cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE starts_with(datname, %s)"
                    " AND datname <> %s",
                    [prefix, template],
                )
                for (stale,) in cursor.fetchall():
                    try:
                        cursor.execute(f"DROP DATABASE {quote(stale)}")
                    except Exception:  # noqa: BLE001 - in use elsewhere: left for next time
                        pass
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")
            cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [prefix])
    _use(connection, test_name)
    return test_name


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sqlite_from_template(creation, verbosity: int) -> str:
    from django.conf import settings

    connection = creation.connection
    test_name = creation._get_test_db_name()
    folder = Path(settings.VAR_DIR) / "test-templates"
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / f"sqlite-{_migrations_key()}.sqlite3"
    with _file_lock(folder / ".lock"):
        if not template.exists():
            building = template.with_suffix(".wip")
            shutil.copyfile(stack.sqlite_template(), building)
            _migrate_into(connection, str(building), verbosity)
            # A plain rollback journal: copies open it read-only, with no -wal/-shm beside it.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=DELETE")
            connection.close()
            building.replace(template)
            for stale in folder.glob("sqlite-*.sqlite3"):
                if stale != template:
                    stale.unlink(missing_ok=True)
    if creation.is_in_memory_db(test_name):
        _use(connection, test_name)
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()
        shutil.copyfile(template, test_name)
        _use(connection, test_name)
    return test_name


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """pytest-django creates the test database (django_db_setup, untouched: serializing for
    serialized_rollback, --reuse-db, dropping at the end); the creation itself copies the
    template. With --no-migrations, Django's own way."""
    from django.db import connections

    if request.config.getvalue("nomigrations"):
        return
    creation = connections["default"].creation
    copy = {"postgresql": _postgresql_from_template, "sqlite": _sqlite_from_template}.get(
        creation.connection.vendor
    )
    if copy is None:
        return

    def create_test_db(verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        if verbosity >= 1:
            creation.log(f"Copying the migrated template into the test database ({copy.__name__})")
        name = copy(creation, verbosity)
        _sync_unmigrated_models(creation.connection)
        if serialize:
            creation.connection._test_serialized_contents = creation.serialize_db_to_string()
        creation.connection.ensure_connection()
        return name

    creation.create_test_db = create_test_db
