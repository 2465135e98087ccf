import pytest

from editorial import demo


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
