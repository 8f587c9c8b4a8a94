"""A real learning record store for tests: ralph (ralph-malph, pinned in
requirements-lrs.lock) running its LRS server (uvicorn, the file-system backend) on a free
loopback port in a temporary folder, with one account whose key and secret sign every
request (basic auth). Ralph's pins clash with ours, so it lives in a virtualenv of its own,
created once under the cache folder (LMS_TEST_CACHE, else ~/.cache/wagtail-learning) from
the lock and reused while the lock is unchanged. Nothing is mocked: the platform talks HTTP
to it; what it stored is read back and validated with ralph's own xAPI models."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements-lrs.lock"
KEY = "lms-test-lrs"
SECRET = "lms-test-lrs-secret-not-for-production"  # noqa: S105
STARTUP_SECONDS = 60

# Ralph's server, run in its virtualenv. Its file-system LRS backend (the one needing no
# database server) writes each request with CREATE, which refuses a file that exists: only
# the first request would be stored. Appending is the backend's own APPEND operation.
_SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), access_log=False)
"""

# Run in ralph's virtualenv: validate each stored statement with ralph's xAPI 1.0.3 model.
_VALIDATE = """
import json, sys
from ralph.models.xapi.base.statements import BaseXapiStatement
errors = []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        try:
            BaseXapiStatement.model_validate(json.loads(line))
        except Exception as error:
            errors.append(str(error))
print(json.dumps(errors))
"""


def cache_dir() -> Path:
    base = os.environ.get("LMS_TEST_CACHE") or Path.home() / ".cache" / "wagtail-learning"
    return Path(base)


def ralph_python() -> Path:
    """The Python of ralph's virtualenv, created from the lock on first use (about 15 s;
    needs the package index once). Several test processes wait for one another."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:12]
    venv = cache_dir() / f"ralph-{digest}"
    python = venv / "bin" / "python"
    done = venv / ".installed"
    if done.exists():
        return python
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / f"ralph-{digest}.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not done.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)  # noqa: S603
            subprocess.run(  # noqa: S603
                [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                 "-r", str(LOCK)],
                check=True,
            )  # fmt: skip
            done.write_text(LOCK.read_text())
    return python


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Lrs:
    python: Path
    workdir: Path
    port: int
    process: subprocess.Popen | None = field(default=None)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    @property
    def stored_file(self) -> Path:
        return self.workdir / "data" / "fs_lrs.jsonl"

    def start(self) -> None:
        """Start the server (again, on the same port and data: a restart after `stop`)."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.workdir),
            "RALPH_APP_DIR": str(self.workdir / "app"),
            "RALPH_AUTH_FILE": str(self.workdir / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.workdir / "data"),
            "RALPH_SENTRY_DSN": "",
        }
        log = open(self.workdir / "ralph.log", "ab")  # noqa: SIM115 - the child holds it
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [str(self.python), "-c", _SERVE, str(self.port)],
            cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"ralph stopped at start:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(  # noqa: S310 - loopback
                    f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2
                ):
                    return
            except (OSError, urllib.error.HTTPError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"ralph did not answer in {STARTUP_SECONDS} s:\n{self.log()[-3000:]}"
                    ) from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        path = self.workdir / "ralph.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stored(self) -> list[dict]:
        """Every statement the LRS stored, as it stored them."""
        if not self.stored_file.exists():
            return []
        lines = self.stored_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def query(self, **params) -> dict:
        """GET Statements, as a reader of the LRS would."""
        query = "&".join(f"{k}={urllib.request.quote(str(v))}" for k, v in params.items())
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{self.endpoint}statements?{query}",
            headers={
                "Authorization": "Basic " + b64encode(f"{KEY}:{SECRET}".encode()).decode(),
                "X-Experience-API-Version": "1.0.3",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def validation_errors(self) -> list[str]:
        """Ralph's xAPI 1.0.3 statement model over everything stored: the errors, if any."""
        if not self.stored_file.exists():
            return ["nothing stored"]
        result = subprocess.run(  # noqa: S603
            [str(self.python), "-c", _VALIDATE, str(self.stored_file)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return json.loads(result.stdout)


def start_lrs(workdir: Path) -> Lrs:
    """Ralph's LRS in `workdir` on a free port, with the account KEY/SECRET (all scopes)."""
    python = ralph_python()
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    (workdir / "app").mkdir(parents=True, exist_ok=True)
    hashed = subprocess.run(  # noqa: S603
        [str(python), "-c",
         "import bcrypt,sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt()).decode())",
         SECRET],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (workdir / "auth.json").write_text(
        json.dumps(
            [
                {
                    "agent": {"mbox": "mailto:lms@example.org", "objectType": "Agent"},
                    "scopes": ["all"],
                    "hash": hashed,
                    "username": KEY,
                }
            ]
        )
    )
    lrs = Lrs(python=python, workdir=workdir, port=_free_port())
    lrs.start()
    return lrs
