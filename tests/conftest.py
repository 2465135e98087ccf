import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes its files to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path):
    """Originals and proofs too: each test has its own private folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
