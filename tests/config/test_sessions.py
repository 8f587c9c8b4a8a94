"""Sessions are read from the cache only where the cache is shared by every process (Redis):
a logout must end the session in every app server at once (decision 0027)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.factories import UserFactory

BASE_SETTINGS = Path(settings.BASE_DIR) / "config" / "settings" / "base.py"


@pytest.mark.parametrize(
    ("redis_url", "engine"),
    [
        ("redis://127.0.0.1:6379/0", "wagtail_learning.accounts.sessions"),
        ("", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_come_from_the_cache_only_when_it_is_redis(monkeypatch, redis_url, engine):
    monkeypatch.setenv("REDIS_URL", redis_url)

    assert runpy.run_path(str(BASE_SETTINGS))["SESSION_ENGINE"] == engine


@pytest.mark.django_db
@override_settings(SESSION_ENGINE="wagtail_learning.accounts.sessions")
def test_a_logout_ends_a_cached_session_for_every_client_holding_it(django_assert_num_queries):
    user = UserFactory()
    tab = Client()
    tab.force_login(user)
    other = Client()  # the same session, as another app server sees it
    other.cookies[settings.SESSION_COOKIE_NAME] = tab.cookies[settings.SESSION_COOKIE_NAME].value
    assert other.get("/certificates/mine/").status_code == 200
    with django_assert_num_queries(0):  # read from the cache, not the database
        assert other.session.get("_auth_user_id") == str(user.pk)

    assert tab.post("/konto/logga-ut/").status_code == 302

    assert other.get("/certificates/mine/").status_code == 302  # to the login page


@pytest.mark.django_db
@override_settings(SESSION_ENGINE="wagtail_learning.accounts.sessions")
def test_a_logout_the_cache_cannot_take_deletes_nothing_so_no_copy_outlives_it(monkeypatch):
    """If the shared cache does not answer at logout, the session is not deleted from the
    database either (Django's cached_db deleted the row first, and a cache coming back
    with its copy would have kept the person logged in)."""
    from django.contrib.sessions.models import Session

    from wagtail_learning.accounts.sessions import SessionStore

    user = UserFactory()
    tab = Client()
    tab.force_login(user)
    key = tab.cookies[settings.SESSION_COOKIE_NAME].value
    store = SessionStore(key)

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(store._cache, "delete", unreachable)
    with pytest.raises(ConnectionError):
        store.delete()
    assert Session.objects.filter(session_key=key).exists()
    assert store._cache.get(store.cache_key_prefix + key) is not None  # still one session

    monkeypatch.undo()
    SessionStore(key).delete()
    assert not Session.objects.filter(session_key=key).exists()
    assert store._cache.get(store.cache_key_prefix + key) is None
