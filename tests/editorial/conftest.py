import pytest

from editorial import demo
from tests.editorial import site_tree


@pytest.fixture
def seed_log() -> list[str]:
    return []


@pytest.fixture
def seeded(db, seed_log):
    """The demo site, seeded into this test's database."""
    demo.seed(seed_log.append)
    return seed_log


@pytest.fixture
def no_samples(settings, tmp_path):
    """A machine without the shared samples folder."""
    settings.STUDIO_SAMPLES_DIR = tmp_path / "no-samples"


@pytest.fixture
def site_pages():
    """A bare site: (home, journal, galleries), built with site_tree; no demo content."""
    return site_tree.build_site()


@pytest.fixture
def journal(site_pages):
    """The bare site's journal (a module may define its own, on another site)."""
    return site_pages[1]


@pytest.fixture
def galleries(site_pages):
    """The bare site's gallery index."""
    return site_pages[2]
