"""bench/topology.py on a tiny run: nginx in front of two gunicorn app servers, two django-q2
worker clusters on Redis, SeaweedFS for the protected files, this test's PostgreSQL
database. Three learners for 36 s; one app server and one worker cluster are SIGKILLed
mid-run and stay dead. The bench must find nothing lost (every acknowledged heartbeat
stored, one certificate and one PDF in the store per completion, no task left in Redis),
and then, after it loses a learner's watch time and a certificate's PDF on purpose, its
checks must see the loss. The full benchmark with the capacity levels is
`make bench-topology`.

It takes minutes on a 2-core machine, so it runs only when asked for:
    RUN_TOPOLOGY_CHECK=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
        .venv/bin/pytest -n 0 tests/test_topology_bench.py"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.objectstore import weed_binary

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("LMS_TEST_TOPOLOGY_REDIS_URL", "redis://127.0.0.1:6379/9")

# Minutes, not seconds, on a 2-core machine (collectstatic, seven servers starting, 36 s of
# load, the queue settling): not in the suite's default run.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("RUN_TOPOLOGY_CHECK") != "1", reason="set RUN_TOPOLOGY_CHECK=1 (minutes)"
    ),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the topology runs on PostgreSQL, as in production",
    ),
]


def _program(name: str) -> bool:
    return bool(shutil.which(name) or Path("/usr/sbin", name).exists())


def _free_port_block() -> int:
    """A port p with p..p+3 free (nginx, two app servers, one spare)."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            base = sock.getsockname()[1]
        if base > 65000:
            continue
        try:
            held = []
            for offset in range(4):
                probe = socket.socket()
                held.append(probe)
                probe.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for probe in held:
                probe.close()
    raise RuntimeError("no block of four free ports")


def test_a_tiny_topology_run_loses_nothing_when_an_app_server_and_a_worker_die(tmp_path):
    for program in ("nginx", "wrk", "redis-server"):
        if not _program(program):
            pytest.skip(f"{program} is not installed (bench/topology.py installs it as root)")
    if weed_binary() is None:
        pytest.skip("no SeaweedFS (weed)")
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    command = [sys.executable, str(ROOT / "bench" / "topology.py")]
    command += ["--existing-database", "--database-url", url, "--redis-url", REDIS_URL]
    command += ["--learners", "3", "--duration", "36", "--app-workers", "1", "--no-capacity"]
    # LMS_TEST_TOPOLOGY_PORT: the first of four ports to use (a machine shared by several
    # runs gives each its own range); else any free block.
    port = int(os.environ.get("LMS_TEST_TOPOLOGY_PORT") or _free_port_block())
    command += ["--port", str(port), "--settle", "150", "--prove-checks"]

    log = tmp_path / "topology.log"
    with open(log, "w") as output:
        bench = subprocess.Popen(  # noqa: S603 - the bench, our own arguments
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            returncode = bench.wait(timeout=1500)
        except subprocess.TimeoutExpired:
            bench.send_signal(signal.SIGINT)  # its cleanup stops the servers it started
            bench.wait(timeout=60)
            pytest.fail(f"the run did not end in 25 minutes:\n{log.read_text()[-6000:]}")

    out = log.read_text()
    assert returncode == 0, out[-6000:]
    assert "killed app server 1" in out and "killed task worker cluster 1" in out
    assert "lost (DB below the acknowledged watch time): 0" in out
    assert "a ready certificate's PDF missing: 0; a PDF no certificate names" in out
    rendered = re.search(r"certificates: (\d+) rows", out)
    assert rendered and int(rendered.group(1)) >= 1, "no learner completed: nothing proved"
    assert "the checks see the loss: ok" in out
