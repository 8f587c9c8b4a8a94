"""Which broker the task queue uses: the database unless Redis is configured, or asked for
(LMS_TASK_BROKER); a broker that cannot work is refused when the settings load."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BASE_SETTINGS = Path(settings.BASE_DIR) / "config" / "settings" / "base.py"
REDIS = "redis://127.0.0.1:6379/11"


def q_cluster(monkeypatch, **env) -> dict:
    for name in ("REDIS_URL", "LMS_TASK_BROKER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_SETTINGS))["Q_CLUSTER"]


def test_the_database_is_the_broker_without_redis(monkeypatch):
    cluster = q_cluster(monkeypatch)

    assert cluster["orm"] == "default"
    assert "redis" not in cluster


def test_redis_is_the_broker_when_configured(monkeypatch):
    assert q_cluster(monkeypatch, REDIS_URL=REDIS)["redis"] == REDIS
    assert q_cluster(monkeypatch, REDIS_URL=REDIS, LMS_TASK_BROKER="redis")["redis"] == REDIS


def test_the_database_broker_can_be_kept_beside_a_redis_cache(monkeypatch):
    cluster = q_cluster(monkeypatch, REDIS_URL=REDIS, LMS_TASK_BROKER="orm")

    assert cluster["orm"] == "default"
    assert "redis" not in cluster


@pytest.mark.parametrize("env", [{"LMS_TASK_BROKER": "redis"}, {"LMS_TASK_BROKER": "rabbit"}])
def test_a_broker_that_cannot_work_is_refused_at_start(monkeypatch, env):
    with pytest.raises(ImproperlyConfigured):
        q_cluster(monkeypatch, **env)


def test_a_cluster_takes_ahead_no_more_tasks_than_it_has_workers(monkeypatch):
    """On Redis a killed cluster loses what it had taken ahead (the sweeps queue it again);
    django-q2's default would be workers squared."""
    monkeypatch.setenv("Q_WORKERS", "4")
    cluster = q_cluster(monkeypatch, REDIS_URL=REDIS)

    assert cluster["queue_limit"] == cluster["workers"] == 4
    assert cluster["retry"] > cluster["timeout"]


def test_a_cluster_can_leave_the_schedules_to_the_others(monkeypatch):
    assert q_cluster(monkeypatch)["scheduler"] is True
    monkeypatch.setenv("Q_SCHEDULER", "0")
    assert q_cluster(monkeypatch)["scheduler"] is False
