"""Run a real `manage.py qcluster` (settings: tests.qcluster_settings) against this
process's test database, for tests and benchmarks of the task queue.

PostgreSQL: the cluster connects to the same test database. SQLite: pytest's test database
lives in this process's memory, so the cluster gets a file copy (sqlite3's backup API) and
`bring_back()` copies the result into memory again. A database that already is a file (the
benchmarks make one) is shared as is.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class SharedDatabase:
    name: str
    bring_back: Callable[[], None]
    copied: bool


def share_database(connection, workdir: Path) -> SharedDatabase:
    """The database name a cluster should use to see what this connection sees."""
    connection.ensure_connection()
    name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        return SharedDatabase(str(name), lambda: None, copied=False)
    path = workdir / "qcluster.sqlite3"
    with closing(sqlite3.connect(path)) as target:
        connection.connection.backup(target)

    def bring_back() -> None:
        with closing(sqlite3.connect(path)) as source:
            source.backup(connection.connection)

    return SharedDatabase(str(path), bring_back, copied=True)


def read_sqlite(path: str, sql: str, params=()) -> list[tuple]:
    """A query on the cluster's copy, while it runs (WAL lets us read beside its writes)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=20)) as db:
        return db.execute(sql, params).fetchall()


class QCluster:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"qcluster exited with {self.process.returncode}:\n{self.log()}")

    def wait_for(self, condition: Callable[[], bool], *, timeout: float, every: float = 0.25):
        """Poll `condition` until it holds; False when `timeout` seconds pass first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            self.check_alive()
            time.sleep(every)
        return condition()

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as a process manager stops it; wait for the workers to finish."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only ours
                self.process.wait(timeout=10)
        return self.process.returncode


@contextmanager
def running_qcluster(
    *,
    database: str,
    media_root,
    protected_media_root,
    workdir: Path,
    workers: int = 1,
    redis_url: str = "",
    email_dir: Path | None = None,
    name: str = "qcluster",
):
    """Start `manage.py qcluster`; stop it (SIGTERM, then wait) on the way out. With
    `redis_url` it takes its tasks from that Redis (else the ORM broker); with `email_dir`
    it writes each email it sends there as a file (else they are dropped)."""
    log_path = workdir / f"{name}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.qcluster_settings",
        "LMS_QCLUSTER_DB_NAME": database,
        "LMS_QCLUSTER_MEDIA_ROOT": str(media_root),
        "LMS_QCLUSTER_PROTECTED_MEDIA_ROOT": str(protected_media_root),
        "LMS_QCLUSTER_REDIS_URL": redis_url,
        "LMS_QCLUSTER_EMAIL_DIR": str(email_dir or ""),
        "Q_WORKERS": str(workers),
        "PYTHONUNBUFFERED": "1",
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    cluster = QCluster(process, log_path)
    try:
        yield cluster
    finally:
        cluster.stop()
