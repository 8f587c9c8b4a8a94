import os

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety check
# would otherwise refuse the ORM calls the live-server tests make around it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def password():
    return "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_cache_and_language():
    """Each test starts with an empty cache and the site's language: a link, a snapshot or a
    throttle counter cached by the test before, or the English a request of the test before
    left active in this thread, cannot decide this one (rolled-back rows send no signals to
    forget them, and the order of tests differs between runs and workers)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test` runs it with --dist loadgroup), a module's tests stay
    on one worker (module-scoped fixtures are built once) and the browser journeys all run
    on one worker, one at a time: two Chromiums and two live servers at once on a
    two-core machine made them miss their timeouts."""
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        group = "browser" if module.startswith("tests/browser/") else module
        item.add_marker(pytest.mark.xdist_group(group))
