"""A template links only to its own app's URLs, or to those of the apps below it.

The apps depend one way, editorial -> shop -> booker (the import contracts in pyproject.toml
check the Python side). A template is code too: `{% url "personal:extras" %}` in a booker
template ties the booker to the shop as much as an import would, and the booker's pages break
(or silently lose a link) once the shop moves its pages. A booker page reaches a shop page
through booker/links.py (`{% studio_link %}`), as the shop's product page reaches the site's
posts through shop/community/panels.py.

Every `{% url %}` of every template is read (Django's own lexer: comments are not tags) and the
URL name's owner compared with the template's owner. A template directory or a URL name nobody
owns yet fails too, so that a new one is given an owner rather than slipping through."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
# Our template roots: the project's and the apps' own (booke/templates overrides Oscar's).
TEMPLATE_ROOTS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]

BOOKER, SHOP, EDITORIAL, SITE = "booker", "shop", "editorial", "site"

# Whose URLs each app may name: its own and those of the apps it may depend on.
MAY_LINK_TO = {
    BOOKER: {BOOKER},
    SHOP: {SHOP, BOOKER},
    EDITORIAL: {EDITORIAL, SHOP, BOOKER},
}

# The owner of a template, by its first directory under a template root.
TEMPLATE_OWNERS = {
    "booker": BOOKER,
    # The automation engine's email layout (booker/automation).
    "automation": BOOKER,
    # Django's auth pages (the one login, password reset, second factor: booker/urls/accounts.py)
    "registration": BOOKER,
    # The studio's back office is Django's admin (booker/admin.py).
    "admin": BOOKER,
    "oscar": SHOP,
    "shop": SHOP,
    "personal": SHOP,
    "editorial": EDITORIAL,
    "editorial_contact": EDITORIAL,
    "editorial_site": EDITORIAL,
    "contact": EDITORIAL,
}
# The site's shell, around every app's pages: it may link anywhere.
SHELL = {"base.html", "throttled.html", "includes", "400.html", "403.html", "404.html", "500.html"}
# The one login page of every part of the site (booke/urls.py sends each framework's login
# there): it offers the shop's sign-up to whoever arrives without an account, so it is the
# shell's, not the booker's, though its view is.
SHELL_FILES = {"registration/login.html"}

# The owner of a URL namespace (booke/urls.py and the apps' urls.py).
NAMESPACE_OWNERS = {
    "portal": BOOKER,
    # A family's view-only link to delivered photos (booker/urls/share.py).
    "share": BOOKER,
    "booking": BOOKER,
    "twofactor": BOOKER,
    "admin": BOOKER,
    # Oscar's apps are the shop, forked or not.
    **dict.fromkeys(
        ["basket", "catalogue", "checkout", "customer", "dashboard", "offer", "search",
         "wishlists", "history", "payments", "personal"],
        SHOP,
    ),
    "comments": EDITORIAL,
}
# The owner of a URL name without a namespace.
NAME_OWNERS = {
    **dict.fromkeys(
        ["login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
         "password_reset_complete"],
        BOOKER,
    ),
    **dict.fromkeys(
        ["site-search", "sitemap", "robots-txt", "blog-feed-rss", "blog-feed-atom",
         "blog-category-feed-rss", "blog-category-feed-atom", "newsletter-subscribe",
         "newsletter-confirm", "newsletter-unsubscribe", "visitor"],
        EDITORIAL,
    ),
    **dict.fromkeys(["after-login", "healthz", "favicon", "set_language"], SITE),
}

# `{% url "name" … %}` or `{% url 'ns:name' … %}`; a name computed in the template
# (`opts|admin_urlname:…`, Django's admin) is left alone: it stays inside the admin.
LITERAL_URL = re.compile(r"""^url\s+(["'])(?P<name>[^"']+)\1""")


def template_files() -> list[tuple[Path, Path]]:
    return sorted(
        (root, path)
        for root in TEMPLATE_ROOTS
        for path in root.rglob("*")
        if path.is_file() and path.suffix in {".html", ".txt", ".xml"}
    )


def template_owner(relative: Path) -> str | None:
    """The app owning a template, SITE for the shell, None when nobody was given it."""
    if relative.as_posix() in SHELL_FILES or relative.parts[0] in SHELL:
        return SITE
    return TEMPLATE_OWNERS.get(relative.parts[0])


def url_owner(name: str) -> str | None:
    namespace, _, _ = name.rpartition(":")
    if namespace:
        return NAMESPACE_OWNERS.get(namespace.split(":")[0])
    if name.startswith("wagtail"):
        return EDITORIAL
    return NAME_OWNERS.get(name)


def url_names(source: str) -> list[str]:
    """The literal URL names of a template's `{% url %}` tags."""
    names = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK and (match := LITERAL_URL.match(token.contents)):
            names.append(match["name"])
    return names


def boundary_crossings(relative: Path, source: str) -> list[str]:
    """What is wrong with one template's links, as lines for a failure message."""
    owner = template_owner(relative)
    if owner is None:
        return [f"{relative}: no owner for templates of {relative.parts[0]!r} (TEMPLATE_OWNERS)"]
    problems = []
    for name in url_names(source):
        target = url_owner(name)
        if target is None:
            problems.append(f"{relative}: no owner for the URL {name!r} (NAMESPACE/NAME_OWNERS)")
        elif owner != SITE and target not in MAY_LINK_TO[owner]:
            problems.append(
                f"{relative}: a {owner} template names {target}'s URL {name!r}; "
                f"link through a registry (booker/links.py) instead"
            )
    return problems


def test_templates_name_only_urls_of_their_app_or_below():
    files = template_files()
    assert len(files) > 100, "the template roots moved: this test reads nothing"
    problems = [
        problem
        for root, path in files
        for problem in boundary_crossings(path.relative_to(root), path.read_text())
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("relative", "source", "crosses"),
    [
        # the portal naming the shop's extras page: what booker/links.py replaced
        ("booker/portal/session.html", '{% url "personal:extras" session.pk as u %}', True),
        ("booker/portal/session.html", "{% url 'portal:home' %}", False),
        ("booker/portal/session.html", '{% studio_link "pay_extras" session as u %}', False),
        # a comment is not a tag
        ("booker/portal/session.html", '{# {% url "personal:extras" 1 %} #}', False),
        # editorial -> shop -> booker is the allowed direction
        ("editorial/blog_post_page.html", '{% url "basket:summary" %}', False),
        ("oscar/catalogue/detail.html", '{% url "portal:home" %}', False),
        ("oscar/catalogue/detail.html", '{% url "site-search" %}', True),
        ("shop/x.html", '{% url "comments:post" 1 %}', True),
        # the shell links anywhere
        ("includes/main_nav.html", '{% url "personal:extras" 1 %}', False),
    ],
)
def test_a_link_across_the_boundary_is_caught(relative, source, crosses):
    assert bool(boundary_crossings(Path(relative), source)) is crosses


def test_an_unowned_template_directory_or_url_fails():
    assert boundary_crossings(Path("newapp/page.html"), "")
    assert boundary_crossings(Path("booker/page.html"), '{% url "newapp:page" %}')
