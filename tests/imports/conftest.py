import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files waiting for the worker go to a temporary MEDIA_ROOT, never to the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
