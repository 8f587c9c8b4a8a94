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
        ("redis://127.0.0.1:6379/0", "django.contrib.sessions.backends.cached_db"),
        ("", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_come_from_the_cache_only_when_it_is_redis(monkeypatch, redis_url, engine):
    monkeypatch.setenv("REDIS_URL", redis_url)

    assert runpy.run_path(str(BASE_SETTINGS))["SESSION_ENGINE"] == engine


@pytest.mark.django_db
@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
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
