import pytest

from shop import demo


@pytest.fixture
def catalogue(db, search_index) -> None:
    """The demo catalogue, seeded (and indexed) as `manage.py seed_demo` does."""
    demo.seed(lambda line: None)


@pytest.fixture(autouse=True)
def _engine_urls_until_merged(monkeypatch) -> None:
    # TEMPORARY: the engine's first cut (2b09a45) reverses "account" and "unsubscribe", names
    # that the invitations branch (i16 invite: "portal:account", "unsubscribe") and the lead's
    # pending context.py fix bring; until they are merged every email fails without this.
    # Remove this fixture once they are.
    from django.urls import NoReverseMatch, reverse

    from booker.automation import context, unsubscribe

    def lenient(name, *args, **kwargs):
        try:
            return reverse(name, *args, **kwargs)
        except NoReverseMatch:
            if name == "account":
                return reverse("portal:home")
            if name == "unsubscribe":
                return f"/accounts/unsubscribe/{kwargs.get('args', args and args[0])[0]}/"
            raise

    monkeypatch.setattr(context, "reverse", lenient)
    monkeypatch.setattr(unsubscribe, "reverse", lenient)
