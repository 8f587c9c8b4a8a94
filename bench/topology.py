"""The production topology, run for real on this machine: nginx in front of two gunicorn
app servers, two django-q2 worker clusters on the Redis broker, SeaweedFS for the protected
files, PostgreSQL; capacity measured, then a bounded load of simulated learners while one
app server and one worker cluster are SIGKILLed (decision 0046, docs/deployment.md).

    make bench-topology                                 # = bench/topology.py --quick
    .venv/bin/python bench/topology.py [--duration 180] [--learners 40] [--app-workers 2]
        [--database-url postgres://postgres@127.0.0.1:5432/lms_topology] [--fresh]
        [--redis-url redis://127.0.0.1:6379/13] [--port 18480] [--keep] [--restart]
        [--levels 2,4,8] [--probe-seconds 8] [--no-capacity] [--json PATH]
        [--no-object-store] [--pending-grace 30] [--prove-checks]
        [--existing-database] [--probe-only] [--gunicorn-arg=--worker-class=sync ...]
        [--replica [--reports-on-primary] [--primary-port 5434] [--replica-port 5435]
         [--drop-clusters]] [--report-readers 2 [--report-people 2000] [--report-pause 1]]

The replica tier (--replica, as root; decision 0049): PostgreSQL clusters of its own, a
primary (kept between runs with its migrated template; --drop-clusters removes it) and a
streaming replica made afresh by pg_basebackup -R -X stream -c fast after seeding; the app
servers get DATABASE_REPLICA_URL (not with --reports-on-primary, the comparison). With
--report-readers, HR readers fetch the compliance matrix, its CSV export and the forecast
in turn through nginx during the load, for a municipality of --report-people staff; the
run prints both clusters' CPU during the load and the replay lag.

What it starts (all on 127.0.0.1, in a temporary directory, stopped at the end):
- PostgreSQL: the database of --database-url is dropped and created (from a migrated
  template an earlier run left, `<name>_tpl_<digest of the migrations>`, else migrated
  and kept as that template) and seeded with one course (a 30 s lecture and a
  one-question quiz, both required), the learners enrolled and signed in (sessions made
  in the database: no password hashing). --existing-database uses it as it is.
- SeaweedFS (tests/objectstore.py) with a private bucket for the protected files
  (LMS_S3_BUCKET): the lecture video, the certificate PDFs.
- nginx (the Debian package; installed with apt-get when missing and run as root), as a
  foreground process with deploy/nginx-lms.conf's locations: /static/ from the collected
  static files (cached across runs), protected files through X-Accel-Redirect fetched from
  the store, the heartbeat passed to the other app server when one fails (safe: a repeated
  sequence number credits nothing), everything else proxied to the two app servers.
- Two app servers: `gunicorn config.wsgi` with --app-workers workers each, settings
  bench.probe_settings (production's, from the environment, plus the one-UPDATE view and
  the sweep's grace for the run).
- Two task worker clusters: `manage.py qcluster` with one worker process each, on Redis
  (its own database number, so nobody else's cluster takes our tasks).

Capacity, before the kills: wrk closed loops (bench/heartbeat_probe.lua, one learner per
connection, a new sequence number every beat) at each of --levels connections: heartbeats
at app server 1 alone (the baseline), the one-UPDATE view at app server 1, heartbeats
through nginx at both; interleaved. Printed: learners per app server measured (best
beats/s with p99 < 200 ms, else the highest, labelled, x 10 s) and derived (10 s / the app
servers' CPU per beat, from /proc), the ratios two/one, and the heartbeat against the
one-UPDATE view (time and CPU).

The load: each learner opens the course and the lecture, sends a heartbeat every 10 s
(10 s of video played, retried once with the same sequence number on an error, as the
player does), fetches a Range of the video with each beat, opens a page every third beat,
and takes the quiz once (start, then submit the right answer). A third of the way in, app
server 1 is killed (SIGKILL to its process group); at 60 %, worker cluster 1. Neither
comes back (--restart: after 5 s).

Then it waits for the queue to settle and checks: every heartbeat acknowledged with 200
is in the database (the step's stored watched seconds are at least what was
acknowledged), every lecture acknowledged as completed is stored so, every completion has
exactly one certificate and it is ready, the bucket holds one PDF per ready certificate
and none extra (a second render would leave a second object), no task is left in Redis,
none failed, and no heartbeat was answered by the dead app server after its kill.
--prove-checks then loses a learner's watch time and a PDF on purpose and requires the
checks to fail. Exit status 0 when everything passes, 1 when anything is lost.
--probe-only keeps the former probe: set up, then only a capacity probe on an app server
started for it (no nginx, load, kills or checks).
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
{protected}
        }}
        location /_media/ {{
            internal;
            alias {work}/media/;
        }}
        location /media/documents/ {{ return 404; }}
        location /media/ {{ alias {work}/media/; }}
        # The heartbeat is safe to send twice (a repeated sequence number credits
        # nothing, lms/progress.py): nginx may pass it to the other app server even when
        # the first one died after the request reached it. Other POSTs are passed on only
        # when the dead server never got them (nginx's default).
        location = /api/v1/progress/heartbeat {{
            proxy_pass http://lms_app;
            proxy_next_upstream error timeout non_idempotent;
            proxy_next_upstream_tries 2;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Real-IP $remote_addr;
            add_header X-Upstream $upstream_addr always;
        }}
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


PROTECTED_FROM_DISK = "            alias {work}/private-media/;"
# The signed link's path and query after the prefix; the Host it was signed for.
PROTECTED_FROM_STORE = """            proxy_pass {endpoint}/;
            proxy_set_header Host {host};
            proxy_set_header Cookie "";
            proxy_set_header Authorization "";
            proxy_hide_header Set-Cookie;"""


def open_to_nginx(work: Path) -> None:
    """nginx's workers run as nobody: let them read the temporary directory (static files,
    the lecture video); nothing in it is secret."""
    for folder, _dirs, files in os.walk(work):
        os.chmod(folder, 0o755)  # noqa: S103
        for name in files:
            os.chmod(Path(folder) / name, 0o644)  # noqa: S103


def migrations_digest() -> str:
    """A digest of every migration file: a migrated template made from the same files can
    stand in for running them again."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("**/migrations/*.py")):
        if ".venv" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def recreate_database(url: str, template: str = "") -> bool:
    """Drop and create the database of `url`; from `template` when that database exists
    (returns True: it is migrated already)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        sys.exit(f"a plain database name is needed, not {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        found = (
            template
            and connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [template]
            ).fetchone()
        )
        if found:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return True
        connection.execute(f'CREATE DATABASE "{name}"')
        return False


def collect_static(env: dict, target: Path) -> None:
    """collectstatic into `target`, or a copy of what an earlier run collected from the same
    static files and locked packages (compressing every file took minutes on a loaded
    machine)."""
    import hashlib

    digest = hashlib.sha256()
    sources = [ROOT / "requirements.lock"] + sorted(
        path
        for path in ROOT.glob("**/static/**/*")
        if path.is_file() and ".venv" not in path.parts and "node_modules" not in path.parts
    )
    for path in sources:
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    cache = Path(tempfile.gettempdir()) / f"lms-topology-static-{digest.hexdigest()[:10]}"
    done = cache / ".collected"  # written last: a run stopped midway leaves none
    if not done.exists():
        manage({**env, "STATIC_ROOT": str(cache)}, "collectstatic", "--noinput", "-v0")
        done.touch()
    else:
        print(f"static files copied from {cache} (collected by an earlier run)")
    shutil.copytree(cache, target, dirs_exist_ok=True)


def keep_as_template(url: str, template: str) -> None:
    """Copy the freshly migrated database to `template` for the next run (older templates of
    this database go)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        old = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{name}_tpl_%"]
        ).fetchall()
        for (stale,) in old:
            connection.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')


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

    def session_of(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "wagtail_learning.identity.backends.PasswordBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    reports = seed_reports(course, users) if REPORT_PEOPLE() else {}
    sessions = []
    for user in users:
        enrol(user, course)
        sessions.append({"user_id": user.pk, "session": session_of(user)})
    if reports:
        reports["hr_session"] = session_of(reports.pop("hr"))
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
                "reports": reports,
            }
        )
    )


def REPORT_PEOPLE() -> int:  # noqa: N802 - read from the parent's environment
    return int(os.environ.get("LMS_BENCH_REPORT_PEOPLE", "0"))


def seed_reports(course, learners) -> dict:
    """For the report readers (--report-readers): a municipality of 8 units with
    LMS_BENCH_REPORT_PEOPLE staff besides the learners, the course assigned to all of them
    (enrolled, a third completed), and an HR user whose scope is the municipality. What
    the compliance matrix, its export and the forecast then read is what a town's HR
    reads."""
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tests.factories import assign_course, hr_user, org_unit
    from wagtail_learning.lms.models import Completion, Enrolment
    from wagtail_learning.org.models import LearnerProfile, Membership

    User = get_user_model()  # noqa: N806
    root = org_unit("Topologi kommun")
    units = []
    for name in ("Förvaltning A", "Förvaltning B"):
        office = org_unit(name, root)
        for unit in ("Enhet 1", "Enhet 2", "Enhet 3", "Enhet 4"):
            units.append(org_unit(f"{name[-1]} {unit}", office))
    User.objects.bulk_create(
        User(username=f"topostaff{n}", first_name="Per", last_name=f"Persson {n}", password="!")
        for n in range(REPORT_PEOPLE())
    )
    people = list(learners) + list(
        User.objects.filter(username__startswith="topostaff").order_by("pk")
    )
    LearnerProfile.objects.bulk_create(
        LearnerProfile(user=user, unit=units[i % len(units)], hire_date=date(2020, 1, 1))
        for i, user in enumerate(people)
    )
    Membership.objects.bulk_create(
        Membership(user=user, unit=units[i % len(units)]) for i, user in enumerate(people)
    )
    assign_course(course, root, today=timezone.localdate(), due_days=60)
    now = timezone.now()
    done = [user for i, user in enumerate(people[len(learners) :]) if i % 3 == 0]
    Completion.objects.bulk_create(
        Completion(user=u, page_id=course.pk, kind=Completion.Kind.COURSE, completed_at=now)
        for u in done
    )
    Enrolment.objects.filter(course_id=course.pk, user__in=done).update(
        status=Enrolment.Status.COMPLETED, completed_at=now
    )
    return {"hr": hr_user(root, username="topohr"), "people": len(people), "units": len(units)}


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
    # (before/after the app server's kill, the app server nginx used last) -> heartbeats
    upstreams: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    app_killed_at: float | None = None

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
                upstream = response.headers.get("X-Upstream", "-").split(",")[-1].strip()
                killed = self.stats.app_killed_at
                phase = "after" if killed is not None and time.monotonic() > killed else "before"
                with self.stats.lock:
                    self.stats.upstreams[phase, upstream] += 1
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


REPORT_PATHS = (
    ("report: compliance", "/admin/hr/compliance/"),
    ("report: export CSV", "/admin/hr/compliance/?export=csv"),
    ("report: forecast", "/admin/hr/forecast/"),
)


class ReportReader(threading.Thread):
    """HR reading reports through nginx while the learners work: the compliance matrix,
    its CSV export (read to the end) and the forecast, one after another with
    --report-pause seconds between them."""

    def __init__(self, base: str, session: str, stats: Stats, until: float, pause: float, n: int):
        super().__init__(daemon=True)
        import requests

        self.base, self.stats, self.until, self.pause = base, stats, until, pause
        self.http = requests.Session()
        self.http.cookies.set("sessionid", session)
        self.http.headers.update({"X-Real-IP": "127.0.0.1"})
        self.offset = n

    def run(self) -> None:
        import requests

        time.sleep(self.offset * self.pause / 2)
        turn = self.offset
        while time.monotonic() < self.until:
            endpoint, path = REPORT_PATHS[turn % len(REPORT_PATHS)]
            turn += 1
            started = time.perf_counter()
            try:
                response = self.http.get(self.base + path, timeout=60, allow_redirects=False)
                outcome = None if response.status_code == 200 else str(response.status_code)
            except requests.RequestException as exc:
                outcome = type(exc).__name__
            self.stats.record(endpoint, started, outcome)
            time.sleep(self.pause)


# --- PostgreSQL clusters of our own for the replica tier (--replica) -----------------------

PG_VERSION = os.environ.get("LMS_BENCH_PG_VERSION", "15")
PRIMARY_CLUSTER, REPLICA_CLUSTER = "lmstopoprimary", "lmstoporeplica"


def _pg(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=check, capture_output=True, text=True)  # noqa: S603


def cluster_exists(name: str) -> bool:
    return Path(f"/etc/postgresql/{PG_VERSION}/{name}").exists()


def cluster_dir(name: str) -> Path:
    return Path(f"/var/lib/postgresql/{PG_VERSION}/{name}")


def ensure_primary_cluster(port: int) -> None:
    """A PostgreSQL cluster of our own as the primary (wal_level replica, PostgreSQL's
    default; replication connections from 127.0.0.1 trusted), so the shared server's
    configuration stays as it is. Kept between runs (its migrated template with it);
    --drop-clusters removes it."""
    if os.geteuid() != 0:
        sys.exit("--replica makes PostgreSQL clusters (pg_createcluster): run as root.")
    if not cluster_exists(PRIMARY_CLUSTER):
        _pg(
            "pg_createcluster",
            PG_VERSION,
            PRIMARY_CLUSTER,
            "--port",
            str(port),
            "--",
            "--auth=trust",
        )
        hba = Path(f"/etc/postgresql/{PG_VERSION}/{PRIMARY_CLUSTER}/pg_hba.conf")
        hba.write_text(hba.read_text() + "host replication all 127.0.0.1/32 trust\n")
    _pg("pg_ctlcluster", PG_VERSION, PRIMARY_CLUSTER, "start", check=False)


def make_replica_cluster(primary_port: int, port: int) -> None:
    """A streaming replica of the primary cluster, made afresh: pg_basebackup -R (standby
    mode, primary_conninfo written) -X stream, then started (docs/deployment.md)."""
    drop_cluster(REPLICA_CLUSTER)
    # Trust, as the primary: the app servers connect without a password on loopback.
    _pg("pg_createcluster", PG_VERSION, REPLICA_CLUSTER, "--port", str(port), "--", "--auth=trust")
    data = cluster_dir(REPLICA_CLUSTER)
    # Empty, not removed: the folder stays the postgres user's (its parent may be root's).
    for entry in data.iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    # -c fast: an immediate checkpoint (a spread one kept the backup waiting minutes).
    backup = f"pg_basebackup -h 127.0.0.1 -p {primary_port} -U postgres -D {data} -R -X stream"
    backup += " -c fast"
    _pg("su", "postgres", "-c", backup)
    _pg("pg_ctlcluster", PG_VERSION, REPLICA_CLUSTER, "start")


def drop_cluster(name: str) -> None:
    if cluster_exists(name):
        _pg("pg_dropcluster", PG_VERSION, name, "--stop", check=False)


def replica_caught_up(primary_url: str, replica_url: str, timeout: float = 120) -> float:
    """Wait until the replica has replayed what the primary has written; the seconds it took."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(primary_url, autocommit=True) as primary:
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    while time.monotonic() - started < timeout:
        try:
            with psycopg.connect(replica_url, autocommit=True) as replica:
                behind = replica.execute(
                    "SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())", [target]
                ).fetchone()[0]
            if behind is not None and behind <= 0:
                return time.monotonic() - started
        except psycopg.OperationalError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the replica did not catch up with the primary")


def cluster_pids(name: str) -> list[int]:
    """The postmaster of a cluster and its children (backends, WAL sender or receiver)."""
    try:
        postmaster = int((cluster_dir(name) / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return []
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == postmaster:
                pids.append(int(entry.name))
    return pids


class LagSampler(threading.Thread):
    """pg_stat_replication's replay lag on the primary, every 2 s while the load runs."""

    def __init__(self, primary_url: str, until: float):
        super().__init__(daemon=True)
        self.url, self.until, self.samples = primary_url, until, []

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            while time.monotonic() < self.until:
                row = connection.execute(
                    "SELECT EXTRACT(EPOCH FROM COALESCE(replay_lag, '0'::interval)) "
                    "FROM pg_stat_replication LIMIT 1"
                ).fetchone()
                if row is not None:
                    self.samples.append(float(row[0]) * 1000)
                time.sleep(2)


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


def wrk_learners(facts: dict) -> list[str]:
    return [f"{who['session']}:{secrets.token_hex(16)}" for who in facts["learners"]]


def wrk_command(
    wrk: str, base: str, path: str, clients: int, seconds: float, facts: dict, learners
) -> list[str]:
    command = [wrk, "-t", str(clients), "-c", str(clients), "-d", f"{seconds:.0f}s"]
    command += ["--timeout", "10s", "-s", str(PROBE_LUA), base, "--", path]
    return command + [str(facts["module_id"]), facts["lecture_step"], *learners]


def measure(
    wrk: str,
    base: str,
    path: str,
    endpoint: str,
    clients: int,
    seconds: float,
    facts: dict,
    learners: list[str],
    servers: list[Process],
    database_url: str,
) -> ProbeRow:
    """One closed-loop level with wrk against `base` (an app server, or nginx in front of
    several), with the CPU seconds of `servers` (their process groups) and of PostgreSQL's
    backends for this database read from /proc around it."""

    def app_pids():
        return [pid for server in servers if server.alive() for pid in group_pids(server.popen.pid)]

    app_before = cpu_ticks(app_pids())
    db_before = cpu_ticks(database_backends(database_url))
    busy_before, all_before = machine_ticks()
    command = wrk_command(wrk, base, path, clients, seconds, facts, learners)
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    busy_after, all_after = machine_ticks()
    app_after = cpu_ticks(app_pids())
    db_after = cpu_ticks(database_backends(database_url))
    lines = [line for line in output.splitlines() if line.startswith("WRK ")]
    if child.returncode or not lines:
        raise RuntimeError(f"wrk failed ({child.returncode}):\n{output}")
    result = json.loads(lines[-1][4:])
    done = max(1, result["requests"])

    def per_request_ms(before, after):
        ticks = sum(t - before.get(pid, 0) for pid, t in after.items())
        return ticks / TICKS * 1000 / done

    return ProbeRow(
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


def warm_up(wrk: str, base: str, facts: dict, learners, paths) -> None:
    """Unmeasured: every worker's first requests (imports, connections, the module
    snapshot)."""
    for path in paths:
        subprocess.run(  # noqa: S603
            wrk_command(wrk, base, path, 8, 3, facts, learners), check=True, capture_output=True
        )


def probe_capacity(
    wrk: str, base: str, server: Process, database_url: str, facts: dict, levels, seconds
) -> list[ProbeRow]:
    """Closed-loop requests with wrk at each concurrency (one learner per connection, a new
    sequence number every beat), for the heartbeat and for the one-UPDATE baseline view,
    measuring the app server's and PostgreSQL's CPU seconds from /proc around each."""
    learners = wrk_learners(facts)
    warm_up(wrk, base, facts, learners, (HEARTBEAT_PATH, BASELINE_PATH))
    rows = []
    # Interleaved, so that whatever else the machine does falls on both alike.
    for clients in levels:
        for path, endpoint in ((HEARTBEAT_PATH, "heartbeat"), (BASELINE_PATH, "one UPDATE")):
            rows.append(
                measure(
                    wrk,
                    base,
                    path,
                    endpoint,
                    clients,
                    seconds,
                    facts,
                    learners,
                    [server],
                    database_url,
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


def topology_capacity(
    args, wrk: str, facts: dict, apps: list[Process], nginx_base: str, app_base: str
) -> dict:
    """Before the kills: closed-loop heartbeats at app server 1 alone (the baseline, as the
    probe measures one app server) and through nginx at both app servers, and the
    one-UPDATE view at app server 1, interleaved level by level. Prints the table and the
    learners per app server with the ratios; returns the figures."""
    print(
        "\n--- capacity: closed-loop heartbeats (wrk), one app server alone vs two behind "
        "nginx, and the one-UPDATE view ---",
        flush=True,
    )
    learners = wrk_learners(facts)
    for base in (app_base, nginx_base):
        warm_up(wrk, base, facts, learners, (HEARTBEAT_PATH, BASELINE_PATH))
    rows: list[ProbeRow] = []
    runs = (
        (app_base, HEARTBEAT_PATH, "heartbeat, app server 1 alone", apps[:1]),
        (app_base, BASELINE_PATH, "one UPDATE, app server 1 alone", apps[:1]),
        (nginx_base, HEARTBEAT_PATH, "heartbeat, nginx + 2 app servers", apps),
    )
    for clients in args.levels:
        for base, path, endpoint, servers in runs:
            rows.append(
                measure(
                    wrk,
                    base,
                    path,
                    endpoint,
                    clients,
                    args.probe_seconds,
                    facts,
                    learners,
                    servers,
                    args.database_url,
                )
            )
    print(
        f"{'':34} {'clients':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
        f"  {'app CPU ms/req':>14} {'PostgreSQL':>10}  machine busy"
    )
    for row in rows:
        print(
            f"{row.endpoint:34} {row.clients:7d} {row.rate:7.1f} {row.p50:7.1f} {row.p99:7.1f} "
            f"{row.errors:6d}  {row.app_ms:14.2f} {row.db_ms:10.2f}  {row.busy:6.0%}"
        )

    def best(endpoint: str) -> tuple[float, bool]:
        """The highest rate with p99 < 200 ms and no errors (True), else the highest at all
        (False: every level was slower than that, as on a machine other runs fill)."""
        chosen = [r for r in rows if r.endpoint == endpoint]
        good = [r.rate for r in chosen if r.p99 < 200 and not r.errors]
        if good:
            return max(good), True
        return max((r.rate for r in chosen), default=0.0), False

    def cpu(endpoint: str) -> float:
        chosen = [r for r in rows if r.endpoint == endpoint]
        total = sum(r.requests for r in chosen)
        return sum(r.app_ms * r.requests for r in chosen) / max(1, total)

    (one, one_cut), (two, two_cut) = (
        best("heartbeat, app server 1 alone"),
        best("heartbeat, nginx + 2 app servers"),
    )
    one_ms, two_ms = cpu("heartbeat, app server 1 alone"), cpu("heartbeat, nginx + 2 app servers")
    update_ms = cpu("one UPDATE, app server 1 alone")
    time_ratios = [
        twin.rate / max(row.rate, 1e-9)
        for row in rows
        if row.endpoint == "heartbeat, app server 1 alone"
        for twin in rows
        if twin.endpoint == "one UPDATE, app server 1 alone" and twin.clients == row.clients
    ]
    level_ratios = [
        twin.rate / max(row.rate, 1e-9)
        for row in rows
        if row.endpoint == "heartbeat, app server 1 alone"
        for twin in rows
        if twin.endpoint == "heartbeat, nginx + 2 app servers" and twin.clients == row.clients
    ]
    per_core = BEAT_SECONDS * 1000 / max(one_ms, 1e-9)
    per_core_two = BEAT_SECONDS * 1000 / max(two_ms, 1e-9)
    figures = {
        "levels": args.levels,
        "probe_seconds": args.probe_seconds,
        "load_average": loadavg(),
        "machine_busy": max((r.busy for r in rows), default=0.0),
        "one_server_beats_per_s": one,
        "one_server_p99_under_200ms": one_cut,
        "one_server_learners": one * BEAT_SECONDS,
        "two_servers_beats_per_s": two,
        "two_servers_p99_under_200ms": two_cut,
        "two_servers_learners": two * BEAT_SECONDS,
        "two_servers_learners_per_server": two * BEAT_SECONDS / 2,
        "two_over_one": two / max(one, 1e-9),
        "per_server_over_one": two / 2 / max(one, 1e-9),
        "two_over_one_same_clients": percentile(level_ratios, 0.5),
        "heartbeat_cpu_ms_one_server": one_ms,
        "heartbeat_cpu_ms_two_servers": two_ms,
        "learners_per_core_one_server": per_core,
        "learners_per_core_two_servers": per_core_two,
        "per_core_two_over_one": per_core_two / max(per_core, 1e-9),
        "update_cpu_ms": update_ms,
        "heartbeat_time_over_update": percentile(time_ratios, 0.5),
        "heartbeat_cpu_over_update": one_ms / max(update_ms, 1e-9),
        "cores": os.cpu_count(),
        "app_workers": args.app_workers,
    }
    cut = {True: "p99 < 200 ms", False: "p99 above 200 ms at every level: the highest rate"}
    print(
        f"\nlearners per app server, {args.app_workers} gunicorn workers each, everything on "
        f"this machine's {os.cpu_count()} cores (load average {figures['load_average']}):\n"
        f"  measured (heartbeats/s x {BEAT_SECONDS} s between a learner's beats):\n"
        f"    baseline, app server 1 alone: {one:.1f} beats/s ({cut[one_cut]}) = "
        f"{one * BEAT_SECONDS:.0f} learners\n"
        f"    nginx + 2 app servers: {two:.1f} beats/s ({cut[two_cut]}) = "
        f"{two * BEAT_SECONDS:.0f} learners in all, {two * BEAT_SECONDS / 2:.0f} per app server; "
        f"{figures['two_over_one']:.2f}x the baseline in all, "
        f"{figures['per_server_over_one']:.2f}x per app server; at the same number of "
        f"clients (median over the levels) {figures['two_over_one_same_clients']:.2f}x\n"
        f"  derived ({BEAT_SECONDS} s / the app servers' CPU per beat, from /proc; what other "
        f"load hardly moves): {per_core:.0f} learners per app-server core alone "
        f"({one_ms:.2f} ms a beat), {per_core_two:.0f} behind nginx with two "
        f"({two_ms:.2f} ms), {figures['per_core_two_over_one']:.2f}x\n"
        "  (two app servers on one machine share its cores: the measured total shows the "
        "routing and the cost of the extra hop, not what a second machine adds)"
    )
    print(
        f"hot path: the heartbeat takes {figures['heartbeat_time_over_update']:.2f}x the "
        f"one-UPDATE view's time (median over the levels; closed loop, same app server) and "
        f"{figures['heartbeat_cpu_over_update']:.2f}x its app-server CPU "
        f"({one_ms:.2f} ms against {update_ms:.2f} ms)",
        flush=True,
    )
    return figures


# --- Checks after the run --------------------------------------------------------------------


def check(
    env: dict, facts: dict, stats: Stats, settle: float, store=None, bucket: str = ""
) -> tuple[bool, list[str]]:
    """Run in this process against the topology's database (the app servers' settings):
    waits up to `settle` seconds for the queue to empty and every certificate to be ready,
    then checks that nothing was lost. `store`: the object store (tests/objectstore.py)
    holding the protected files in `bucket`; None: they are on disk."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.db.models import Count, Sum
    from django_q.models import Task

    from wagtail_learning.certificates.models import Certificate
    from wagtail_learning.lms.models import Completion, StepProgress

    queue = redis.Redis.from_url(env["REDIS_URL"])
    queue_key = f"django_q:{settings.Q_CLUSTER['name']}:q"

    def stored_pdfs() -> list[str]:
        if store is None:
            root = Path(env["PROTECTED_MEDIA_ROOT"])
            return [str(p.relative_to(root)) for p in (root / "certificates").rglob("*.pdf")]
        names = []
        pages = store.client().get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=bucket, Prefix="certificates/"):
            names += [item["Key"] for item in page.get("Contents", [])]
        return names

    lines: list[str] = []
    deadline = time.monotonic() + settle
    waited = time.monotonic()
    while True:
        completions = Completion.objects.count()
        ready = Certificate.objects.filter(status=Certificate.Status.READY).count()
        queued = queue.llen(queue_key)
        if (ready >= completions and not queued) or time.monotonic() > deadline:
            break
        time.sleep(2)
    waited = time.monotonic() - waited
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
    doubled = (
        Certificate.objects.values("completion_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    not_ready = Certificate.objects.exclude(status=Certificate.Status.READY).count()
    ready_names = set(
        Certificate.objects.filter(status=Certificate.Status.READY).values_list("pdf", flat=True)
    )
    attempts = Certificate.objects.aggregate(n=Sum("render_attempts"))["n"] or 0
    # A certificate rendered twice would leave a second PDF (storage names never clash).
    pdfs = stored_pdfs()
    prefix = env.get("LMS_S3_PREFIX", "")
    stored = {name.removeprefix(prefix) for name in pdfs}
    missing = ready_names - stored
    extra = stored - ready_names
    queued = queue.llen(queue_key)
    failed_tasks = Task.objects.filter(success=False).count()
    where = f"bucket {bucket!r} (SeaweedFS)" if store is not None else "PROTECTED_MEDIA_ROOT"
    lines.append(
        f"heartbeat progress: {len(stats.acknowledged)} learners acknowledged, "
        f"lost (DB below the acknowledged watch time): {len(lost)}"
        + (f" {sorted(lost.items())[:5]}" if lost else "")
    )
    lines.append(
        f"completions: {completions} ({len(completed_users)} learners done); "
        f"lecture acknowledged as completed but not stored so: {len(told_but_missing)}"
    )
    lines.append(
        f"certificates: {certificates} rows; completions without one: {without}; completions "
        f"with more than one: {doubled}; not ready: {not_ready}"
    )
    lines.append(
        f"PDFs in {where}: {len(pdfs)} for {len(ready_names)} ready certificates; a ready "
        f"certificate's PDF missing: {len(missing)}; a PDF no certificate names (rendered "
        f"twice): {len(extra)}; render attempts beyond one each: {attempts - len(ready_names)} "
        "(a claim a killed worker held counts)"
    )
    lines.append(
        f"task queue: {queued} tasks left in Redis after {waited:.0f} s of settling; "
        f"failed tasks recorded: {failed_tasks}"
    )
    ok = not (
        lost
        or told_but_missing
        or without
        or doubled
        or not_ready
        or missing
        or extra
        or queued
        or failed_tasks
    )
    return ok, lines


def lose_something(facts: dict, stats: Stats) -> None:
    """What the checks must notice (--prove-checks): an acknowledged heartbeat's watch time
    gone from the database, a ready certificate's PDF gone from the store."""
    from wagtail_learning.certificates.models import Certificate
    from wagtail_learning.lms.models import StepProgress

    uid = max(stats.acknowledged, key=stats.acknowledged.get)
    StepProgress.objects.filter(
        user_id=uid, module_id=facts["module_id"], step_id=facts["lecture_step"]
    ).update(watched_seconds=0)
    certificate = Certificate.objects.filter(status=Certificate.Status.READY).first()
    if certificate is not None:
        certificate.pdf.storage.delete(certificate.pdf.name)


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
            "TOPOLOGY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lms_topology"
        ),
        help="dropped and created afresh",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--port", type=int, default=18480, help="nginx; app servers +1, +2")
    parser.add_argument("--settle", type=float, default=300, help="max wait for the queue")
    parser.add_argument(
        "--pending-grace",
        type=int,
        default=30,
        help="CERTIFICATES_PENDING_GRACE_SECONDS for the run (production: 300)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--no-object-store",
        action="store_true",
        help="protected files on local disk instead of SeaweedFS",
    )
    parser.add_argument(
        "--restart", action="store_true", help="restart the killed processes after 5 s"
    )
    parser.add_argument(
        "--no-capacity", action="store_true", help="skip the closed-loop capacity levels"
    )
    parser.add_argument(
        "--levels", default="2,4,8", help="closed-loop connections per capacity level"
    )
    parser.add_argument("--json", metavar="PATH", help="write the figures here as JSON")
    parser.add_argument(
        "--fresh", action="store_true", help="migrate a new database, no migrated copy"
    )
    parser.add_argument(
        "--existing-database",
        action="store_true",
        help="use --database-url as it is (migrated, e.g. a test database): no drop, no migrate",
    )
    parser.add_argument(
        "--prove-checks",
        action="store_true",
        help="after the checks pass, lose a heartbeat and a PDF on purpose and check again: "
        "the checks must fail",
    )
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
    parser.add_argument(
        "--report-readers",
        type=int,
        default=0,
        help="HR readers of the compliance matrix, its export and the forecast during the load",
    )
    parser.add_argument(
        "--report-people", type=int, default=2000, help="staff in the readers' municipality"
    )
    parser.add_argument("--report-pause", type=float, default=1.0, help="s between reports")
    parser.add_argument(
        "--replica",
        action="store_true",
        help="PostgreSQL clusters of our own: a primary (--primary-port) and a streaming "
        "replica (--replica-port) the reports read from (DATABASE_REPLICA_URL)",
    )
    parser.add_argument(
        "--reports-on-primary",
        action="store_true",
        help="with --replica: the replica streams but the reports read the primary (the "
        "comparison)",
    )
    parser.add_argument("--primary-port", type=int, default=5434)
    parser.add_argument("--replica-port", type=int, default=5435)
    parser.add_argument(
        "--drop-clusters", action="store_true", help="drop the primary cluster at the end too"
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
    args.levels = [int(n) for n in args.levels.split(",") if n.strip()]

    if args.replica:
        ensure_primary_cluster(args.primary_port)
        args.database_url = f"postgres://postgres@127.0.0.1:{args.primary_port}/lms_topology"
    nginx = ensure_nginx()
    wrk = ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="lms-topology-"))
    for name in ("logs", "nginx-tmp", "static", "media", "private-media"):
        (work / name).mkdir()
    open_to_nginx(work)
    app_ports = (args.port + 1, args.port + 2)
    base = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        # Production's settings plus the one-UPDATE view and the sweep's grace (bench/).
        "DJANGO_SETTINGS_MODULE": "bench.probe_settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "LMS_TASK_BROKER": "redis",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "PROTECTED_MEDIA_ROOT": str(work / "private-media"),
        "LMS_X_ACCEL_PROTECTED_PREFIX": "/_protected/",
        "LMS_X_ACCEL_MEDIA_PREFIX": "/_media/",
        "LMS_CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
        "LMS_BENCH_PENDING_GRACE_SECONDS": str(args.pending_grace),
        "Q_WORKERS": "1",
        "WAGTAILADMIN_BASE_URL": base,
        "LMS_BENCH_REPORT_PEOPLE": str(args.report_people if args.report_readers else 0),
    }
    processes: list[Process] = []
    store = None
    bucket = "lms-topology"
    started_at = time.monotonic()
    try:
        print(f"work directory {work}; database {args.database_url}", flush=True)
        protected = PROTECTED_FROM_DISK.format(work=work)
        if not args.no_object_store:
            sys.path.insert(0, str(ROOT))
            from tests import objectstore

            store = objectstore.start_object_store(work / "s3")
            store.create_bucket(bucket)
            env.update(
                LMS_S3_BUCKET=bucket,
                LMS_S3_ENDPOINT_URL=store.endpoint_url,
                LMS_S3_REGION=objectstore.REGION,
                AWS_ACCESS_KEY_ID=objectstore.ACCESS_KEY,
                AWS_SECRET_ACCESS_KEY=objectstore.SECRET_KEY,
            )
            protected = PROTECTED_FROM_STORE.format(
                endpoint=store.endpoint_url, host=urlsplit(store.endpoint_url).netloc
            )
            print(f"object store: SeaweedFS at {store.endpoint_url}, bucket {bucket}", flush=True)
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()  # our database number only
        if not args.existing_database:
            # A migrated copy kept from an earlier run with the same migrations saves
            # minutes (--fresh: migrate anyway).
            template = f"{urlsplit(args.database_url).path.lstrip('/')}_tpl_{migrations_digest()}"
            if args.fresh or not recreate_database(args.database_url, template):
                if args.fresh:
                    recreate_database(args.database_url)
                manage(env, "migrate", "--noinput", "-v0")
                keep_as_template(args.database_url, template)
            else:
                print(f"database copied from {template} (migrated by an earlier run)")
        collect_static(env, work / "static")
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
        replica_url = ""
        if args.replica:
            made = time.monotonic()
            make_replica_cluster(args.primary_port, args.replica_port)
            replica_url = f"postgres://postgres@127.0.0.1:{args.replica_port}/lms_topology"
            caught = replica_caught_up(args.database_url, replica_url)
            print(
                f"streaming replica on port {args.replica_port}: made in "
                f"{time.monotonic() - made:.0f} s, caught up {caught:.1f} s later; reports read "
                f"{'the primary (--reports-on-primary)' if args.reports_on_primary else 'it'}",
                flush=True,
            )
            if not args.reports_on_primary:
                env["DATABASE_REPLICA_URL"] = replica_url
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
            NGINX_CONF.format(
                work=work,
                port=args.port,
                app1=app_ports[0],
                app2=app_ports[1],
                protected=protected,
            )
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

        # Protected video goes through X-Accel-Redirect (nginx reads the disk or fetches
        # the object from the store); static files come from nginx.
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
            f"{direct.headers.get('X-Accel-Redirect', '-')[:60]}, {len(direct.content)} bytes",
            flush=True,
        )
        accel_ok = head.status_code == 206 and len(head.content) == 100 and not direct.content

        figures: dict = {}
        if not args.no_capacity:
            figures = topology_capacity(
                args, wrk, facts, apps, base, f"http://127.0.0.1:{app_ports[0]}"
            )

        stats = Stats()
        load_started = time.monotonic()
        until = load_started + args.duration
        learners = [Learner(base, facts, who, stats, until) for who in facts["learners"]]
        print(f"\n--- load: {len(learners)} learners through nginx ---", flush=True)
        readers = [
            ReportReader(base, facts["reports"]["hr_session"], stats, until, args.report_pause, n)
            for n in range(args.report_readers)
        ]
        if readers:
            print(
                f"{len(readers)} HR report readers ({facts['reports']['people']} people in "
                f"{facts['reports']['units']} units), one report every {args.report_pause} s each",
                flush=True,
            )
        lag = LagSampler(args.database_url, until) if args.replica else None
        clusters = [PRIMARY_CLUSTER, REPLICA_CLUSTER] if args.replica else []
        cluster_before = {name: cpu_ticks(cluster_pids(name)) for name in clusters}
        load_before = loadavg()
        for learner in [*learners, *readers, *([lag] if lag else [])]:
            learner.start()
        events: list[str] = []

        def at(share: float, what: str, target: Process) -> None:
            time.sleep(max(0.0, load_started + share * args.duration - time.monotonic()))
            if target in apps:
                stats.app_killed_at = time.monotonic()
            target.kill()
            events.append(f"{time.monotonic() - load_started:5.1f} s: killed {what} (SIGKILL)")
            if args.restart:
                time.sleep(5)
                target.start()
                events.append(f"{time.monotonic() - load_started:5.1f} s: restarted {what}")

        at(1 / 3, f"app server 1 ({args.app_workers} gunicorn workers)", apps[0])
        at(0.6, "task worker cluster 1", workers[0])
        for learner in [*learners, *readers]:
            learner.join()
        load_seconds = time.monotonic() - load_started
        cluster_cpu = {
            name: sum(
                t - cluster_before[name].get(pid, 0)
                for pid, t in cpu_ticks(cluster_pids(name)).items()
            )
            / TICKS
            for name in clusters
        }
        print(f"load average before the load: {load_before}; after: {loadavg()}")

        print(f"{len(learners)} learners for {load_seconds:.0f} s")
        for event in events:
            print(event)
        if not args.restart:
            print("(not restarted: nginx and the other worker cluster carry on alone)")
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
        beats = stats.timings.get("heartbeat", [])
        report_times = [t for e, _p in REPORT_PATHS for t in stats.timings.get(e, [])]
        tier = {
            "reports": "replica" if args.replica and not args.reports_on_primary else "primary",
            "report_readers": args.report_readers,
            "heartbeats_ok": len(beats),
            "heartbeat_p50_ms": percentile(beats, 0.5),
            "heartbeat_p99_ms": percentile(beats, 0.99),
            "learners_served": len({u for u in stats.acknowledged}),
            "reports_ok": len(report_times),
            "report_p50_ms": percentile(report_times, 0.5),
            "report_p99_ms": percentile(report_times, 0.99),
            "cluster_cpu_s": {k: round(v, 1) for k, v in cluster_cpu.items()},
            "replay_lag_ms": (
                {
                    "median": percentile(lag.samples, 0.5),
                    "max": max(lag.samples, default=float("nan")),
                }
                if lag
                else None
            ),
            "load_before": load_before,
        }
        if readers or args.replica:
            print(
                f"tier: reports read {tier['reports']}; {tier['learners_served']} learners "
                f"acknowledged, {len(beats)} heartbeats (p50 {tier['heartbeat_p50_ms']:.0f} ms, "
                f"p99 {tier['heartbeat_p99_ms']:.0f} ms); {len(report_times)} reports "
                f"(p50 {tier['report_p50_ms']:.0f} ms, p99 {tier['report_p99_ms']:.0f} ms)"
            )
            for name, seconds in cluster_cpu.items():
                print(f"  CPU of PostgreSQL cluster {name} during the load: {seconds:.1f} s")
            if lag:
                print(
                    f"  replay lag (pg_stat_replication, every 2 s): median "
                    f"{tier['replay_lag_ms']['median']:.0f} ms, max "
                    f"{tier['replay_lag_ms']['max']:.0f} ms"
                )
        print("heartbeats answered, by app server (nginx's X-Upstream, the last one tried):")
        for (phase, upstream), count in sorted(stats.upstreams.items()):
            print(f"  {phase} the kill: {upstream}: {count}")
        killed_port = f"127.0.0.1:{app_ports[0]}"
        after_on_dead = stats.upstreams.get(("after", killed_port), 0)
        routed_ok = args.restart or after_on_dead == 0

        print("\n--- checks (waiting for the task queue to settle) ---", flush=True)
        checked, lines = check(env, facts, stats, args.settle, store, bucket)
        for line in lines:
            print(line)
        print(f"X-Accel-Redirect video and nginx in front: {'ok' if accel_ok else 'FAILED'}")
        print(
            f"no heartbeat answered by the dead app server after its kill: "
            f"{'ok' if routed_ok else f'FAILED ({after_on_dead})'}"
        )
        passed = checked and accel_ok and routed_ok
        if passed and args.prove_checks:
            lose_something(facts, stats)
            caught, after = check(env, facts, stats, 0, store, bucket)
            print("after losing one learner's watch time and one certificate's PDF on purpose:")
            for line in after:
                print(f"  {line}")
            print(f"the checks see the loss: {'ok' if not caught else 'FAILED'}")
            passed = not caught
        if figures:
            print(
                f"\nsummary: {figures['one_server_learners']:.0f} learners on one app server "
                f"alone; {figures['two_servers_learners']:.0f} on two behind nginx "
                f"({figures['two_servers_learners_per_server']:.0f} per server, "
                f"{figures['per_server_over_one']:.2f}x the baseline per server); derived "
                f"{figures['learners_per_core_one_server']:.0f} / "
                f"{figures['learners_per_core_two_servers']:.0f} learners per app-server core "
                f"({figures['per_core_two_over_one']:.2f}x); heartbeat "
                f"{figures['heartbeat_time_over_update']:.2f}x the one-UPDATE view's time, "
                f"{figures['heartbeat_cpu_over_update']:.2f}x its CPU"
            )
        if args.json:
            figures.update(
                tier=tier,
                passed=passed,
                learners=args.learners,
                duration=args.duration,
                requests_ok=total,
                errors=failures,
                seconds=round(time.monotonic() - started_at),
                checks=lines,
            )
            Path(args.json).write_text(json.dumps(figures, indent=2))
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
        if store is not None:
            store.stop()
        if args.replica:
            drop_cluster(REPLICA_CLUSTER)  # made afresh by every run
            if args.drop_clusters:
                drop_cluster(PRIMARY_CLUSTER)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
