import pytest

from shop import demo


@pytest.fixture
def catalogue(db, search_index) -> None:
    """The demo catalogue, seeded (and indexed) as `manage.py seed_demo` does."""
    demo.seed(lambda line: None)
