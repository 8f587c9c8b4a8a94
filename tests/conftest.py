import os

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety check
# would otherwise refuse the ORM calls the live-server tests make around it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def password():
    return "correct horse battery staple"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a link, a snapshot or a throttle counter cached
    by the test before cannot decide this one (rolled-back rows send no signals to forget
    them)."""
    from django.core.cache import cache

    cache.clear()
