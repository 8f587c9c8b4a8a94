"""The production topology, run for real on this machine: nginx in front of two gunicorn
app servers, two django-q2 workers on the Redis broker, PostgreSQL; a bounded load of
simulated learners while one app server and one worker are killed and restarted.

    .venv/bin/python bench/topology.py --quick          # 60 s of load
    .venv/bin/python bench/topology.py [--duration 180] [--learners 40] [--app-workers 2]
        [--database-url postgres://postgres@127.0.0.1:5432/helper_topology]
        [--redis-url redis://127.0.0.1:6379/13] [--port 18480] [--keep]
        [--probe-only] [--probe-seconds 15] [--gunicorn-arg=--worker-class=sync ...]

What it starts (all on 127.0.0.1, in a temporary directory, stopped at the end):
- PostgreSQL: the database of --database-url is dropped, created, migrated and seeded
  with one course (a 30 s lecture and a one-question quiz, both required), the learners
  enrolled and signed in (sessions made in the database: no password hashing).
- nginx (the Debian package; installed with apt-get when missing and run as root), as a
  foreground process with its own config: /static/ from collectstatic's folder, protected
  lecture video through X-Accel-Redirect (`LMS_X_ACCEL_PROTECTED_PREFIX=/_protected/`),
  everything else proxied to the two app servers.
- Two app servers: `gunicorn config.wsgi` with --app-workers workers each, settings
  `config.settings.production` from the environment, as the README's deployment section.
- Two task workers: `manage.py qcluster` with one worker process each, on Redis (its own
  database number, so nobody else's cluster takes our tasks).

The load: each learner opens the course and the lecture, sends a heartbeat every 10 s
(10 s of video played, retried once with the same sequence number on an error, as the
player does), fetches a Range of the video with each beat, opens a page every third beat,
and takes the quiz once (start, then submit the right answer). A third of the way in, one
app server is killed (SIGKILL) and restarted 5 s later; at 60 %, one task worker.

Then it waits for the queue to settle and checks: every heartbeat acknowledged with 200
is in the database (the step's stored watched seconds are at least what was acknowledged),
every completion has exactly one certificate and it is ready, none was rendered twice.
Finally a capacity probe on an app server started for it (the same gunicorn command and
workers, plus the bench's one-UPDATE view: bench/probe_settings.py): closed-loop requests
from wrk (the Debian package, a load generator in C; one learner per connection, a new
sequence number every beat) at 1, 2, 4 and 8 connections, the heartbeat and the one-UPDATE
view interleaved. It prints two figures, labelled:
- measured: the highest heartbeat rate with p99 < 200 ms times 10 s, the learners one app
  server carries at 10-second heartbeats on this machine, beside PostgreSQL, Redis, wrk and
  whatever else runs on the same cores (a floor, not a ceiling);
- derived: the app server's own CPU seconds per heartbeat (utime + stime of the gunicorn
  master and workers from /proc, before and after each level) and PostgreSQL's (its server
  processes for this database), so the learners per core at 10-second beats, which other
  load on the machine hardly moves; and the same for the one-UPDATE view, with the ratio.
The load average and the share of the machine busy during each level are printed too.

Exit status 0 when the checks pass (errors during the kills are reported, not failures).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
LECTURE_SECONDS = 30
BEAT_SECONDS = 10


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


# --- Processes ------------------------------------------------------------------------------


class Process:
    """A child in a process group of its own, so killing it kills its workers too."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path):
        self.name, self.command, self.env = name, command, env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 (kept open for the child)
        self.popen = subprocess.Popen(  # noqa: S603 - our own commands
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""


def manage(env: dict, *args: str, timeout: float = 900) -> None:
    subprocess.run(  # noqa: S603 - our own manage.py
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=timeout
    )


def wait_for_http(url: str, timeout: float = 90) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def ensure_program(name: str, *, package: str | None = None) -> str:
    """The path of `name`, installing its Debian package (as root) when it is missing."""
    found = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), ""
    )
    if found:
        return found
    package = package or name
    if os.geteuid() != 0:
        sys.exit(f"{name} is not installed: apt-get install {package} (as root), then run again.")
    print(f"installing {package} (apt-get) ...", flush=True)
    subprocess.run(  # noqa: S603
        ["apt-get", "install", "-y", "--no-install-recommends", package],  # noqa: S607
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return shutil.which(name) or f"/usr/sbin/{name}"


def ensure_nginx() -> str:
    return ensure_program("nginx")


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/logs/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {work}/nginx-tmp/body;
    proxy_temp_path {work}/nginx-tmp/proxy;
    fastcgi_temp_path {work}/nginx-tmp/fastcgi;
    uwsgi_temp_path {work}/nginx-tmp/uwsgi;
    scgi_temp_path {work}/nginx-tmp/scgi;
    upstream lms_app {{
        server 127.0.0.1:{app1} max_fails=1 fail_timeout=3s;
        server 127.0.0.1:{app2} max_fails=1 fail_timeout=3s;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location /static/ {{ alias {work}/static/; }}
        location /_protected/ {{
            internal;
            alias {work}/private-media/;
        }}
        location /_media/ {{
            internal;
            alias {work}/media/;
        }}
        location /media/documents/ {{ return 404; }}
        location /media/ {{ alias {work}/media/; }}
        location / {{
            proxy_pass http://lms_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Real-IP $remote_addr;
        }}
    }}
}}
"""


def open_to_nginx(work: Path) -> None:
    """nginx's workers run as nobody: let them read the temporary directory (static files,
    the lecture video); nothing in it is secret."""
    for folder, _dirs, files in os.walk(work):
        os.chmod(folder, 0o755)  # noqa: S103
        for name in files:
            os.chmod(Path(folder) / name, 0o644)  # noqa: S103


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        sys.exit(f"a plain database name is needed, not {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


# --- Seeding (runs in a child with the production settings) --------------------------------


def seed(learners: int, out: str) -> None:
    """One course (lecture + quiz), `learners` enrolled learners with sessions; the facts the
    load needs go to `out` as JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.utils.module_loading import import_string

    from tests.factories import (
        CoursePageFactory,
        LectureFactory,
        ModulePageFactory,
        QuizFactory,
        choice,
        enrol,
        lecture_step,
        quiz_step,
        route,
        single_choice,
    )

    video = bytes(random.Random(1).randrange(256) for _ in range(256 * 1024)) * 4  # 1 MB
    lecture = LectureFactory(
        duration=timedelta(seconds=LECTURE_SECONDS), video__data=video, video__filename="l.webm"
    )
    right = choice("Sju", correct=True)
    question = single_choice(choices=[choice("Fem"), right])
    quiz = QuizFactory(questions=[question])
    watch, test = lecture_step(lecture), quiz_step(quiz)
    course = CoursePageFactory(title="Likabehandling i praktiken")
    module = ModulePageFactory(parent=course, steps=[watch, test])
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"topo{n}", first_name="Lena", last_name=f"Larsson {n}", password="!")
        for n in range(learners)
    )
    users = list(User.objects.filter(username__startswith="topo").order_by("pk"))
    SessionStore = import_string(f"{settings.SESSION_ENGINE}.SessionStore")  # noqa: N806
    sessions = []
    for user in users:
        enrol(user, course)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "wagtail_learning.identity.backends.PasswordBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append({"user_id": user.pk, "session": store.session_key})
    Path(out).write_text(
        json.dumps(
            {
                "course_url": course.url,
                "module_id": module.pk,
                "lecture_step": watch["id"],
                "quiz_step": test["id"],
                "lecture_url": route(module, "step", watch["id"]),
                "video_url": route(module, "video", watch["id"]),
                "question": question["id"],
                "right": right["id"],
                "video_bytes": len(video),
                "learners": sessions,
            }
        )
    )


# --- The load ------------------------------------------------------------------------------


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    # user id -> the most watched seconds a 200 heartbeat acknowledged; who was told "done"
    acknowledged: dict[int, float] = field(default_factory=dict)
    told_completed: set[int] = field(default_factory=set)

    def record(self, endpoint: str, started: float, outcome: str | None) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            if outcome is None:
                self.timings[endpoint].append(elapsed)
            else:
                self.errors[endpoint][outcome] += 1


class Learner(threading.Thread):
    def __init__(self, base: str, facts: dict, who: dict, stats: Stats, until: float):
        super().__init__(daemon=True)
        import requests

        self.base, self.facts, self.who, self.stats, self.until = base, facts, who, stats, until
        self.http = requests.Session()
        csrf = secrets.token_hex(16)
        self.http.cookies.set("sessionid", who["session"])
        self.http.cookies.set("csrftoken", csrf)
        self.http.headers.update({"X-CSRFToken": csrf, "X-Real-IP": "127.0.0.1"})
        self.rng = random.Random(who["user_id"])
        self.session_id = f"topo-{who['user_id']}-{secrets.token_hex(4)}"
        self.seq = 0
        self.position = 0.0

    def call(self, endpoint: str, method: str, path: str, *, ok=(200,), **kwargs):
        import requests

        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base + path, timeout=15, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            self.stats.record(endpoint, started, type(exc).__name__)
            return None
        if response.status_code not in ok:
            self.stats.record(endpoint, started, str(response.status_code))
            return None
        self.stats.record(endpoint, started, None)
        return response

    def heartbeat(self) -> None:
        self.seq += 1
        start = self.position
        end = min(start + BEAT_SECONDS, LECTURE_SECONDS)
        body = {
            "module_id": self.facts["module_id"],
            "step_id": self.facts["lecture_step"],
            "session_id": self.session_id,
            "seq": self.seq,
            "ranges": [[start, end]],
            "position": end,
            "duration": LECTURE_SECONDS,
        }
        for attempt in range(2):  # the player retries a failed beat once, same sequence
            response = self.call("heartbeat", "POST", "/api/v1/progress/heartbeat", json=body)
            if response is not None:
                result = response.json()
                with self.stats.lock:
                    uid = self.who["user_id"]
                    self.stats.acknowledged[uid] = max(
                        self.stats.acknowledged.get(uid, 0.0), result["watched_seconds"]
                    )
                    if result["completed"]:
                        self.stats.told_completed.add(uid)
                break
            if attempt == 0:
                time.sleep(1)
        self.position = 0.0 if end >= LECTURE_SECONDS else end  # watch it again

    def video_range(self) -> None:
        size = self.facts["video_bytes"]
        start = self.rng.randrange(0, size - 65536)
        self.call(
            "video (Range)",
            "GET",
            self.facts["video_url"],
            ok=(206,),
            headers={"Range": f"bytes={start}-{start + 65535}"},
        )

    def quiz(self) -> None:
        response = self.call(
            "quiz start",
            "POST",
            "/api/v1/quizzes/attempts",
            ok=(200, 409),
            json={"module_id": self.facts["module_id"], "step_id": self.facts["quiz_step"]},
        )
        if response is None or response.status_code != 200:
            return
        attempt = response.json()["attempt_id"]
        self.call(
            "quiz submit",
            "POST",
            f"/api/v1/quizzes/attempts/{attempt}/submit",
            json={
                "module_id": self.facts["module_id"],
                "answers": {self.facts["question"]: [self.facts["right"]]},
            },
        )

    def run(self) -> None:
        time.sleep(self.rng.uniform(0, BEAT_SECONDS))  # learners do not start in step
        self.call("page", "GET", self.facts["course_url"])
        self.call("page", "GET", self.facts["lecture_url"])
        beats = 0
        next_beat = time.monotonic()
        while time.monotonic() < self.until:
            self.heartbeat()
            self.video_range()
            beats += 1
            if beats % 3 == 0:
                self.call("page", "GET", self.rng.choice(["/", self.facts["course_url"]]))
            if beats == 2:
                self.quiz()
            next_beat += BEAT_SECONDS
            time.sleep(max(0.0, next_beat - time.monotonic()))


PROBE_LUA = ROOT / "bench" / "heartbeat_probe.lua"
HEARTBEAT_PATH = "/api/v1/progress/heartbeat"
BASELINE_PATH = "/bench/baseline/"  # bench.urls: parse the JSON, one UPDATE, answer JSON
TICKS = os.sysconf("SC_CLK_TCK")


def ensure_wrk() -> str:
    """wrk (Debian package): a load generator in C, so the probe's client takes little of
    the cores it shares with the app server."""
    return ensure_program("wrk")


def cpu_ticks(pids) -> dict[int, int]:
    """utime + stime of each process (clock ticks); processes gone meanwhile are left out."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def group_pids(pgid: int) -> list[int]:
    """The processes of a process group: a gunicorn master and its workers."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid:
                pids.append(int(entry.name))
    return pids


def database_backends(database_url: str) -> list[int]:
    """PostgreSQL's server processes serving our database (the app server's connections
    among them), to count their CPU too."""
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return [pid for (pid,) in rows]


def machine_ticks() -> tuple[int, int]:
    """(busy, all) clock ticks of every core since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class ProbeRow:
    endpoint: str
    clients: int
    requests: int
    rate: float
    p50: float
    p99: float
    errors: int
    app_ms: float  # app server CPU (master + workers) per request
    db_ms: float  # PostgreSQL backends' CPU per request
    client_ms: float  # wrk's own CPU per request
    busy: float  # share of the machine's cores busy meanwhile (anyone's)


def probe_capacity(
    wrk: str, base: str, server: Process, database_url: str, facts: dict, levels, seconds
) -> list[ProbeRow]:
    """Closed-loop requests with wrk at each concurrency (one learner per connection, a new
    sequence number every beat), for the heartbeat and for the one-UPDATE baseline view,
    measuring the app server's and PostgreSQL's CPU seconds from /proc around each."""
    learners = [f"{who['session']}:{secrets.token_hex(16)}" for who in facts["learners"]]

    def wrk_command(path: str, clients: int, seconds: float) -> list[str]:
        command = [wrk, "-t", str(clients), "-c", str(clients), "-d", f"{seconds:.0f}s"]
        command += ["--timeout", "10s", "-s", str(PROBE_LUA), base, "--", path]
        return command + [str(facts["module_id"]), facts["lecture_step"], *learners]

    # Unmeasured: every worker's first requests (imports, connections, the module snapshot).
    for path in (HEARTBEAT_PATH, BASELINE_PATH):
        subprocess.run(wrk_command(path, 8, 3), check=True, capture_output=True)  # noqa: S603
    rows = []
    # Interleaved, so that whatever else the machine does falls on both alike.
    for clients in levels:
        for path, endpoint in ((HEARTBEAT_PATH, "heartbeat"), (BASELINE_PATH, "one UPDATE")):
            app_pids = group_pids(server.popen.pid)
            app_before = cpu_ticks(app_pids)
            db_before = cpu_ticks(database_backends(database_url))
            busy_before, all_before = machine_ticks()
            command = wrk_command(path, clients, seconds)
            child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
            output = child.stdout.read()
            _pid, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            busy_after, all_after = machine_ticks()
            app_after = cpu_ticks(group_pids(server.popen.pid))
            db_after = cpu_ticks(database_backends(database_url))
            lines = [line for line in output.splitlines() if line.startswith("WRK ")]
            if child.returncode or not lines:
                raise RuntimeError(f"wrk failed ({child.returncode}):\n{output}")
            result = json.loads(lines[-1][4:])
            done = max(1, result["requests"])

            def per_request_ms(before, after, _done=done):
                ticks = sum(t - before.get(pid, 0) for pid, t in after.items())
                return ticks / TICKS * 1000 / _done

            rows.append(
                ProbeRow(
                    endpoint,
                    clients,
                    result["requests"],
                    result["requests"] / (result["duration_us"] / 1e6),
                    result["p50_us"] / 1000,
                    result["p99_us"] / 1000,
                    result["non_2xx"] + result["socket_errors"],
                    per_request_ms(app_before, app_after),
                    per_request_ms(db_before, db_after),
                    (usage.ru_utime + usage.ru_stime) * 1000 / done,
                    (busy_after - busy_before) / max(1, all_after - all_before),
                )
            )
    return rows


def report_probe(rows: list[ProbeRow], workers: int, load_before: str, load_after: str) -> None:
    rows = sorted(rows, key=lambda row: row.endpoint != "heartbeat")  # stable: by clients
    print(
        f"{'endpoint':10} {'clients':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
        f"  {'CPU ms per request: app':>23} {'PostgreSQL':>10} {'wrk':>5}  machine busy"
    )
    for row in rows:
        print(
            f"{row.endpoint:10} {row.clients:7d} {row.rate:7.1f} {row.p50:7.1f} {row.p99:7.1f} "
            f"{row.errors:6d}  {row.app_ms:23.2f} {row.db_ms:10.2f} {row.client_ms:5.2f}  "
            f"{row.busy:6.0%}"
        )
    print(f"load average before the probe: {load_before}; after: {load_after}")

    def mean(endpoint: str, attribute: str) -> float:
        chosen = [r for r in rows if r.endpoint == endpoint]
        total = sum(r.requests for r in chosen)
        return sum(getattr(r, attribute) * r.requests for r in chosen) / max(1, total)

    beats = [r for r in rows if r.endpoint == "heartbeat"]
    good = [r.rate for r in beats if r.p99 < 200 and not r.errors]
    best = max(good, default=0.0)
    print(
        f"\nmeasured (closed loop, this machine): one app server ({workers} gunicorn workers) "
        f"answered at most {best:.1f} heartbeats/s with p99 < 200 ms = about "
        f"{best * BEAT_SECONDS:.0f} learners at {BEAT_SECONDS}-second heartbeats. The cores "
        "are shared with PostgreSQL, Redis, the load generator and anything else running "
        "(see 'machine busy' and the load average): a floor."
    )
    for row in beats:
        twin = next(
            (r for r in rows if r.endpoint == "one UPDATE" and r.clients == row.clients), None
        )
        if twin is not None:
            print(
                f"  at {row.clients} clients the one-UPDATE view answered {twin.rate:.1f}/s: "
                f"heartbeat takes {twin.rate / max(row.rate, 1e-9):.2f}x its time"
            )
    app, db = mean("heartbeat", "app_ms"), mean("heartbeat", "db_ms")
    base_app, base_db = mean("one UPDATE", "app_ms"), mean("one UPDATE", "db_ms")
    print(
        f"derived (CPU seconds from /proc, robust to other load): a heartbeat costs "
        f"{app:.2f} ms of app-server CPU and {db:.2f} ms of PostgreSQL CPU; the one-UPDATE "
        f"view {base_app:.2f} ms and {base_db:.2f} ms. Heartbeat/one-UPDATE in app-server "
        f"CPU: {app / max(base_app, 1e-9):.2f}x, app + PostgreSQL: "
        f"{(app + db) / max(base_app + base_db, 1e-9):.2f}x."
    )
    per_core = BEAT_SECONDS * 1000 / max(app, 1e-9)
    print(
        f"  one app-server core carries about {per_core:.0f} learners at {BEAT_SECONDS}-second "
        f"heartbeats ({1000 / max(app, 1e-9):.0f} beats/s); an app server with {workers} "
        f"workers on {workers} cores of its own, PostgreSQL elsewhere: about "
        f"{per_core * workers:.0f}."
    )
    both = BEAT_SECONDS * 1000 / max(app + db, 1e-9)
    cores = os.cpu_count() or 1
    print(
        f"  app server and PostgreSQL on the same cores, nothing else running: about "
        f"{both:.0f} learners per core, {both * cores:.0f} on this machine's {cores} cores "
        "(Redis, nginx and the kernel's network work not counted)."
    )


def run_probe(args, env: dict, facts: dict, server: Process) -> None:
    """Start `server` (an app server's command) with the bench's baselines added, probe it,
    print the report, stop it."""
    print(
        "\n--- capacity probe: closed-loop requests (wrk) straight at an app server ---\n"
        f"(started for the probe with the app servers' command and {args.app_workers} workers, "
        "plus the bench's one-UPDATE view: bench/probe_settings.py)",
        flush=True,
    )
    server.env = {**env, "DJANGO_SETTINGS_MODULE": "bench.probe_settings"}
    server.start()
    try:
        base = f"http://127.0.0.1:{args.port + 3}"
        wait_for_http(base + "/")
        load_before = loadavg()
        rows = probe_capacity(
            ensure_wrk(), base, server, args.database_url, facts, [1, 2, 4, 8], args.probe_seconds
        )
        report_probe(rows, args.app_workers, load_before, loadavg())
    finally:
        server.signal(signal.SIGTERM)
        try:
            server.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


# --- Checks after the run --------------------------------------------------------------------


def check(env: dict, facts: dict, stats: Stats, settle: float) -> tuple[bool, list[str]]:
    """Run in this process against the topology's database (production settings)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Sum

    from wagtail_learning.certificates.models import Certificate
    from wagtail_learning.lms.models import Completion, StepProgress

    lines: list[str] = []
    deadline = time.monotonic() + settle
    while True:
        completions = Completion.objects.count()
        ready = Certificate.objects.filter(status=Certificate.Status.READY).count()
        if ready >= completions or time.monotonic() > deadline:
            break
        time.sleep(2)
    watched = dict(
        StepProgress.objects.filter(
            module_id=facts["module_id"], step_id=facts["lecture_step"]
        ).values_list("user_id", "watched_seconds")
    )
    lost = {
        uid: (seconds, watched.get(uid, 0.0))
        for uid, seconds in stats.acknowledged.items()
        if watched.get(uid, 0.0) + 1e-6 < seconds
    }
    completed_users = set(
        Completion.objects.filter(kind="module").values_list("user_id", flat=True)
    )
    # A heartbeat's "completed" is the lecture step's: it must be stored as such.
    lecture_done = set(
        StepProgress.objects.filter(
            module_id=facts["module_id"],
            step_id=facts["lecture_step"],
            completed_at__isnull=False,
        ).values_list("user_id", flat=True)
    )
    told_but_missing = stats.told_completed - lecture_done
    certificates = Certificate.objects.count()
    without = Completion.objects.filter(certificate__isnull=True).count()
    not_ready = Certificate.objects.exclude(status=Certificate.Status.READY).count()
    ready = Certificate.objects.filter(status=Certificate.Status.READY).count()
    attempts = Certificate.objects.aggregate(n=Sum("render_attempts"))["n"] or 0
    # A certificate rendered twice would leave a second PDF (storage names never clash).
    pdfs = len(list((Path(env["PROTECTED_MEDIA_ROOT"]) / "certificates").rglob("*.pdf")))
    lines.append(
        f"heartbeat progress: {len(stats.acknowledged)} learners acknowledged, "
        f"lost (DB below the acknowledged watch time): {len(lost)}"
        + (f" {sorted(lost.items())[:5]}" if lost else "")
    )
    lines.append(
        f"completions: {Completion.objects.count()} ({len(completed_users)} learners done); "
        f"lecture acknowledged as completed but not stored so: {len(told_but_missing)}"
    )
    lines.append(
        f"certificates: {certificates}; completions without one: {without}; not ready: "
        f"{not_ready}; PDFs stored: {pdfs} for {ready} ready (rendered twice: "
        f"{max(0, pdfs - ready)}); render attempts beyond one each: {attempts - ready} "
        "(a claim a killed worker held counts)"
    )
    ok = not lost and not told_but_missing and not without and not not_ready and pdfs == ready
    return ok, lines


# --- Main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=180, help="seconds of load")
    parser.add_argument("--quick", action="store_true", help="60 s of load, a shorter probe")
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--app-workers", type=int, default=2, help="gunicorn workers each")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "TOPOLOGY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helper_topology"
        ),
        help="dropped and created afresh",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--port", type=int, default=18480, help="nginx; app servers +1, +2")
    parser.add_argument("--settle", type=float, default=420, help="max wait for certificates")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--probe-only",
        action="store_true",
        help="set up, then only the capacity probe (no nginx, load, kills or checks)",
    )
    parser.add_argument("--probe-seconds", type=float, help="per level (default 15, quick 6)")
    parser.add_argument(
        "--gunicorn-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="added to every app server's command, e.g. --gunicorn-arg=--worker-class=sync",
    )
    parser.add_argument("--seed", nargs=2, metavar=("LEARNERS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(int(args.seed[0]), args.seed[1])
        return 0
    if args.quick:
        args.duration = 60
    if args.probe_seconds is None:
        args.probe_seconds = 6 if args.quick else 15

    nginx = ensure_nginx()
    ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="lms-topology-"))
    for name in ("logs", "nginx-tmp", "static", "media", "private-media"):
        (work / name).mkdir()
    open_to_nginx(work)
    app_ports = (args.port + 1, args.port + 2)
    base = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "PROTECTED_MEDIA_ROOT": str(work / "private-media"),
        "LMS_X_ACCEL_PROTECTED_PREFIX": "/_protected/",
        "LMS_X_ACCEL_MEDIA_PREFIX": "/_media/",
        "LMS_CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
        "Q_WORKERS": "1",
        "WAGTAILADMIN_BASE_URL": base,
    }
    processes: list[Process] = []
    started_at = time.monotonic()
    try:
        print(f"work directory {work}; database {args.database_url}", flush=True)
        recreate_database(args.database_url)
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()  # our database number only
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        open_to_nginx(work)
        facts_path = work / "facts.json"
        subprocess.run(  # noqa: S603 - this script
            [PYTHON, __file__, "--seed", str(args.learners), str(facts_path)],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=600,
        )
        open_to_nginx(work)  # the lecture video, saved with FILE_UPLOAD_PERMISSIONS 0640
        facts = json.loads(facts_path.read_text())
        print(f"set up in {time.monotonic() - started_at:.0f} s", flush=True)

        logs = work / "logs"

        def app_command(port: int) -> list[str]:
            return [PYTHON, "-m", "gunicorn", "config.wsgi", "-w", str(args.app_workers)] + [
                "-b",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                *args.gunicorn_arg,
            ]

        if args.probe_only:
            run_probe(args, env, facts, Process("probe", app_command(args.port + 3), env, logs))
            return 0
        (work / "nginx.conf").write_text(
            NGINX_CONF.format(work=work, port=args.port, app1=app_ports[0], app2=app_ports[1])
        )

        apps = [
            Process(f"app{i + 1}", app_command(port), env, logs) for i, port in enumerate(app_ports)
        ]
        workers = [
            Process(f"worker{i + 1}", [PYTHON, "manage.py", "qcluster"], env, logs)
            for i in range(2)
        ]
        web = Process("nginx", [nginx, "-c", str(work / "nginx.conf")], env, logs)
        processes = [*apps, *workers, web]
        for process in processes:
            process.start()
        for port in app_ports:
            wait_for_http(f"http://127.0.0.1:{port}/")
        wait_for_http(base + "/")

        # Protected video goes through X-Accel-Redirect; static files come from nginx.
        import requests

        probe = requests.Session()
        probe.cookies.set("sessionid", facts["learners"][0]["session"])
        head = probe.get(base + facts["video_url"], headers={"Range": "bytes=0-99"}, timeout=10)
        direct = probe.get(
            f"http://127.0.0.1:{app_ports[0]}{facts['video_url']}",
            headers={"Range": "bytes=0-99"},
            timeout=10,
        )
        print(
            f"video through nginx: {head.status_code}, {len(head.content)} bytes; from the app "
            f"server itself: {direct.status_code}, X-Accel-Redirect "
            f"{direct.headers.get('X-Accel-Redirect', '-')}, {len(direct.content)} bytes",
            flush=True,
        )
        accel_ok = head.status_code == 206 and len(head.content) == 100 and not direct.content

        stats = Stats()
        load_started = time.monotonic()
        until = load_started + args.duration
        learners = [Learner(base, facts, who, stats, until) for who in facts["learners"]]
        for learner in learners:
            learner.start()
        events: list[str] = []

        def at(share: float, what: str, target: Process) -> None:
            time.sleep(max(0.0, load_started + share * args.duration - time.monotonic()))
            target.kill()
            events.append(f"{time.monotonic() - load_started:5.1f} s: killed {what} (SIGKILL)")
            time.sleep(5)
            target.start()
            events.append(f"{time.monotonic() - load_started:5.1f} s: restarted {what}")

        at(1 / 3, f"app server 1 ({args.app_workers} gunicorn workers)", apps[0])
        at(0.6, "task worker 1", workers[0])
        for learner in learners:
            learner.join()
        load_seconds = time.monotonic() - load_started

        print(f"\n--- load: {len(learners)} learners for {load_seconds:.0f} s ---")
        for event in events:
            print(event)
        total = sum(len(v) for v in stats.timings.values())
        failures = sum(sum(e.values()) for e in stats.errors.values())
        print(f"throughput: {total / load_seconds:.1f} requests/s ({total} ok, {failures} errors)")
        print(f"{'endpoint':16} {'ok':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  errors")
        for endpoint in sorted(set(stats.timings) | set(stats.errors)):
            timings = stats.timings.get(endpoint, [])
            errors = dict(stats.errors.get(endpoint, {}))
            print(
                f"{endpoint:16} {len(timings):6d} {percentile(timings, 0.5):8.1f} "
                f"{percentile(timings, 0.95):8.1f} {percentile(timings, 0.99):8.1f}  "
                f"{errors or '-'}"
            )

        print("\n--- checks (waiting for the task queue to settle) ---", flush=True)
        checked, lines = check(env, facts, stats, args.settle)
        for line in lines:
            print(line)
        print(f"X-Accel-Redirect video and nginx in front: {'ok' if accel_ok else 'FAILED'}")

        run_probe(args, env, facts, Process("probe", app_command(args.port + 3), env, logs))
        passed = checked and accel_ok
        print(f"\nresult: {'PASS' if passed else 'FAIL'} ({time.monotonic() - started_at:.0f} s)")
        if not passed:
            for process in processes:
                print(f"--- {process.name} log (tail) ---\n{process.tail()}")
        return 0 if passed else 1
    finally:
        # SIGTERM to all at once (gunicorn and qcluster finish what they hold), then wait.
        for process in processes:
            process.signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in processes:
            if process.popen is None:
                continue
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
