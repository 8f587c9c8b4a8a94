import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache():
    """The password-reset limits count in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()
