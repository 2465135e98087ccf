import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "database_url",
    ["sqlite:////tmp/booke-settings-check.sqlite3", "postgres://postgres@127.0.0.1:5432/test"],
    ids=["sqlite", "postgresql"],
)
def test_settings_load_and_check_on_sqlite_and_postgresql(database_url):
    result = run_manage(
        "check",
        "--database",
        "default",
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="booke.settings.dev",
    )
    if "postgres" in database_url and "could not connect" in result.stderr.lower():
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 here (CI starts one)")
    assert result.returncode == 0, result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="booke.settings.production", ALLOWED_HOSTS="x.example"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.slow
def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="booke.settings.production",
        SECRET_KEY="x" * 64 + "-a-real-deployment-uses-a-random-one",
        ALLOWED_HOSTS="booke.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_embedded_defaults_need_nothing_installed():
    """`make run` works with no service: SQLite file, local media, ORM broker."""
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.STORAGES['default']['BACKEND'], "
        "'orm' in s.Q_CLUSTER, s.EMAIL_BACKEND, s.EMAIL_FILE_PATH)",
        DJANGO_SETTINGS_MODULE="booke.settings.dev",
    )
    assert result.returncode == 0, result.stderr
    *found, mail_dir = result.stdout.strip().splitlines()[-1].split()
    assert found == [
        "django.db.backends.sqlite3",
        "django.core.files.storage.FileSystemStorage",
        "True",
        # The demo's emails go to files, not into the terminal that shows the addresses.
        "django.core.mail.backends.filebased.EmailBackend",
    ]
    assert Path(mail_dir).name == "mail"


@pytest.mark.django_db
def test_tests_run_on_the_database_ci_asks_for():
    expected = "postgresql" if "postgres" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
    assert connection.vendor == expected


def test_plain_http_switch_is_refused_for_a_public_host():
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="booke.settings.production",
        SECRET_KEY="x" * 64,
        ALLOWED_HOSTS="booke.example",
        BOOKE_LOCAL_HTTP="1",
    )
    assert result.returncode != 0
    assert "BOOKE_LOCAL_HTTP is for loopback only" in result.stderr


def test_production_refuses_to_read_a_remote_bounce_mailbox_without_tls():
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="booke.settings.production",
        SECRET_KEY="x" * 64,
        ALLOWED_HOSTS="booke.example",
        BOOKE_BOUNCE_IMAP_HOST="imap.example",
        BOOKE_BOUNCE_IMAP_SSL="none",
    )
    assert result.returncode != 0
    assert "BOOKE_BOUNCE_IMAP_SSL=none is for a mailbox on loopback only" in result.stderr


def test_production_search_goes_to_the_server_haystack_url_names():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.HAYSTACK_CONNECTIONS['default'])",
        DJANGO_SETTINGS_MODULE="booke.settings.production",
        SECRET_KEY="x" * 64,
        ALLOWED_HOSTS="booke.example",
        HAYSTACK_URL="elasticsearch://search.internal:9200/booke",
    )
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert "Elasticsearch7SearchEngine" in line and "'INDEX_NAME': 'booke'" in line
