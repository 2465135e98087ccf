import pytest

from shop import demo


@pytest.fixture
def catalogue(db, search_index) -> None:
    """The demo catalogue, seeded (and indexed) as `manage.py seed_demo` does."""
    demo.seed(lambda line: None)


@pytest.fixture(autouse=True)
def _automation_defaults(db) -> None:
    """The default rules and templates, the shop's included: the migrated template database
    is reused while the migrations do not change, so it may predate a default declared since."""
    from booker import services

    services.ensure_defaults()


@pytest.fixture(autouse=True)
def _account_url_until_the_engine_fix(monkeypatch) -> None:
    # TEMPORARY: the engine's first cut (2b09a45) reverses "account", a name no URL has yet, so
    # every email fails; the lead's fix (reverse "portal:account", falling back to the portal)
    # is pending on main. Remove this fixture once it is merged.
    from django.urls import NoReverseMatch, reverse

    from booker.automation import context

    def lenient(name, *args, **kwargs):
        try:
            return reverse(name, *args, **kwargs)
        except NoReverseMatch:
            if name != "account":
                raise
            return reverse("portal:home")

    monkeypatch.setattr(context, "reverse", lenient)
