import pytest


@pytest.fixture(autouse=True)
def _playback_rate(settings):
    """The budgets in these tests are computed for the fastest rate the player offers, 2×."""
    settings.LMS_MAX_PLAYBACK_RATE = 2.0
