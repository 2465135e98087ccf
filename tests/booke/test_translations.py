"""French for every visitor, and a French catalogue that is complete and compiled.

Our strings have English msgids; locale/fr/LC_MESSAGES/django.po translates them and the
committed django.mo is what Django reads. `make messages` updates both (README.md).
"""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from booker import roles
from tests.factories import UserFactory, user_with_role

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES"
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
# What `make messages` leaves out (its I18N_IGNORE, with the hidden folders such as .venv).
NOT_SOURCES = {"var", "tests", "bench", "docs", "static", "node_modules"}


def read_po(path: Path) -> dict[tuple[str | None, str], list[str] | str]:
    """{(msgctxt, msgid): msgstr, or [msgstr[0], msgstr[1]…] for plurals} of the live entries
    of a .po, "fuzzy" ones included under the key ("fuzzy", …) so that they show up as gaps.
    A tiny reader for the files makemessages writes (no polib: one less dependency)."""
    entries: dict = {}
    fields: dict[str, str] = {}
    fuzzy = False
    field = None

    def flush() -> None:
        nonlocal fields, fuzzy
        if "msgid" in fields and fields["msgid"]:
            ctx = "fuzzy" if fuzzy else fields.get("msgctxt")
            if "msgid_plural" in fields:
                plural = sorted(k for k in fields if k.startswith("msgstr["))
                value: list[str] | str = [fields[k] for k in plural]
            else:
                value = fields.get("msgstr", "")
            entries[(ctx, fields["msgid"])] = value
        fields, fuzzy = {}, False

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            flush()
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue  # references, comments, and the obsolete "#~" entries
        elif line.startswith('"'):
            fields[field] += ast.literal_eval(line)
        else:
            field, _, literal = line.partition(" ")
            fields[field] = ast.literal_eval(literal)
    return entries


def untranslated(entries: dict) -> list[str]:
    return [
        msgid
        for (ctx, msgid), msgstr in entries.items()
        if ctx == "fuzzy" or not all(msgstr if isinstance(msgstr, list) else [msgstr])
    ]


# --- What a visitor sees.


@pytest.mark.django_db
def test_an_english_browser_gets_the_site_in_french(client):
    response = client.get(reverse("login"), **ENGLISH_BROWSER)
    html = response.content.decode()
    assert response.headers["Content-Language"] == "fr"
    assert '<html lang="fr"' in html
    for french in ("Aller au contenu", "Panier", "Se connecter", "Mot de passe oublié ?"):
        assert french in html, french
    for english in ("Skip to content", ">Basket<", ">Log in<", "Forgotten your password?"):
        assert english not in html, english


@pytest.mark.django_db
def test_an_english_browser_logged_in_gets_its_space_and_the_shop_in_french(client):
    client.force_login(UserFactory())
    html = client.get(reverse("basket:summary"), **ENGLISH_BROWSER).content.decode()
    # Our header, and Oscar's own page: its catalogue is French too.
    for french in ("Mon espace", "Se déconnecter", "Votre panier est vide."):
        assert french in html, french
    assert "My space" not in html and "Your basket is empty" not in html


@pytest.mark.django_db
def test_an_english_browser_gets_the_cms_in_french_with_no_language_to_choose(client):
    client.force_login(user_with_role(roles.EDITOR))
    dashboard = client.get("/cms/", **ENGLISH_BROWSER)
    assert dashboard.headers["Content-Language"] == "fr"
    assert 'lang="fr"' in dashboard.content.decode()
    # Wagtail offers a language preference only when it has more than one language.
    preferences = client.get(reverse("wagtailadmin_account"), **ENGLISH_BROWSER)
    assert preferences.status_code == 200
    assert "preferred_language" not in preferences.content.decode()


# --- The catalogue.


def test_the_french_catalogue_translates_every_entry():
    missing = untranslated(read_po(CATALOGUE / "django.po"))
    assert not missing, f"untranslated or fuzzy in locale/fr (run `make messages`): {missing}"


def test_the_compiled_catalogue_is_the_po_compiled():
    """The committed .mo (what the site reads) holds exactly the .po's translations: a .po
    edited without `make messages` (or compilemessages) fails here."""
    with open(CATALOGUE / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    expected: dict = {}
    for (ctx, msgid), msgstr in read_po(CATALOGUE / "django.po").items():
        if ctx == "fuzzy":
            continue  # msgfmt leaves fuzzy entries out
        key = f"{ctx}\x04{msgid}" if ctx else msgid
        if isinstance(msgstr, list):
            expected.update({(key, n): s for n, s in enumerate(msgstr) if s})
        elif msgstr:
            expected[key] = msgstr
    compiled = {k: v for k, v in compiled.items() if k != ""}  # "" is the header
    assert compiled == expected


@pytest.mark.slow
@pytest.mark.skipif(
    not shutil.which("xgettext"), reason="needs GNU gettext's xgettext (apt-get install gettext)"
)
def test_every_string_marked_in_our_code_is_in_the_french_catalogue(tmp_path):
    """makemessages, run on a copy of the code, finds nothing the committed .po lacks: a
    string marked for translation and not translated yet fails here with its msgid."""
    for source in ROOT.iterdir():
        if source.name.startswith(".") or source.name in NOT_SOURCES:
            continue
        if source.is_dir():
            shutil.copytree(source, tmp_path / source.name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / source.name)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--domain", "django"],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "booke.settings.test",
            "BOOKE_VAR_DIR": str(tmp_path / "var"),
        },
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    fresh = read_po(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    missing = untranslated(fresh)
    assert not missing, f"marked in the code, not translated (run `make messages`): {missing}"
