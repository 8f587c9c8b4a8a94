"""The journey `make plugin-check` runs inside a host site (copied there by
scripts/plugin_check.py and run with the host's Python and settings; it imports nothing of
this repository but the installed package).

    python learning_journey.py full|core VIDEO.webm

It may run again in the same host (after the host upgraded Wagtail): each run has its own
course, learner and name, and finds the course index the first run made.

An editor's content made as the admin would keep it (a course index under the host's own
HomePage, a course, a module with a lecture with Swedish captions and a quiz); a learner
enrols on the course page, watches the lecture at 2x with the player's heartbeats, passes
the quiz; the task worker renders the certificate, whose PDF names them; an HR view lists
them. Fails (exit 1) with the step that went wrong.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from wagtail.models import Site  # noqa: E402

import wagtail_learning  # noqa: E402

VARIANT, VIDEO = sys.argv[1], Path(sys.argv[2])
# One learner per run in this host (the PDF and the HR list must name this run's).
LEARNERS = [("Åsa", "Lindqvist-Öberg"), ("Örjan", "Ärlemalm"), ("Märta", "Åkesson")]
PASSWORD = "en-lång-lösenfras-2026"  # noqa: S105 - a throwaway host's learner
CAPTIONS = (
    "WEBVTT\n\n1\n00:00:00.000 --> 00:00:03.000\nVälkommen till kursen.\n\n"
    "2\n00:00:03.000 --> 00:00:06.000\nLagen har sju diskrimineringsgrunder.\n"
)


def step(text: str) -> None:
    print(f"  journey: {text}", flush=True)


def check(condition, message: str) -> None:
    if not condition:
        raise SystemExit(f"plugin journey FAILED: {message}")


def api(client: Client, name: str, payload: dict, **kwargs):
    return client.post(
        reverse(f"api-v1:{name}", kwargs=kwargs or None),
        data=json.dumps(payload),
        content_type="application/json",
    )


# --- The version the package reports is the distribution's --------------------------------
installed = importlib.metadata.version("wagtail-learning-platform")
check(
    wagtail_learning.__version__ == installed,
    f"wagtail_learning.__version__ {wagtail_learning.__version__} != installed {installed}",
)
optional = {"hr", "external", "identity"}
installed_optional = {label for label in optional if apps.is_installed(f"wagtail_learning.{label}")}
check(
    installed_optional == (optional if VARIANT == "full" else set()),
    f"optional apps installed: {sorted(installed_optional)} for the {VARIANT} host",
)
step(f"wagtail-learning-platform {installed}, optional apps: {sorted(installed_optional)}")

from wagtail_learning.certificates.models import Certificate  # noqa: E402
from wagtail_learning.courses.models import CourseIndexPage, CoursePage  # noqa: E402
from wagtail_learning.lms.models import QuizAttempt  # noqa: E402
from wagtail_learning.modules.models import (  # noqa: E402
    Lecture,
    LectureCaptionTrack,
    ModulePage,
    Quiz,
)
from wagtail_learning.org.models import (  # noqa: E402
    LearnerProfile,
    Membership,
    Organisation,
    ReportingScope,
)

# --- The editor's content, under the host's own HomePage -----------------------------------
User = get_user_model()
host_home = Site.objects.get(is_default_site=True).root_page.specific
check(
    type(host_home).__module__.startswith("home."),
    f"the site root is the host's HomePage, not {type(host_home)!r}",
)
index = CourseIndexPage.objects.child_of(host_home).first()
if index is None:
    check(
        CourseIndexPage.can_create_at(host_home),
        "a course index cannot be created under the host's HomePage",
    )
    index = host_home.add_child(instance=CourseIndexPage(title="Kurser", slug="kurser", live=True))
RUN = CoursePage.objects.count()
LEARNER = LEARNERS[RUN]
course = index.add_child(
    instance=CoursePage(
        title=f"Likabehandling i praktiken {RUN + 1}",
        slug=f"likabehandling-{RUN + 1}",
        summary="En kurs om likabehandling.",
        audience="Alla medarbetare",
        live=True,
    )
)
lecture = Lecture(
    title="Diskrimineringslagen på sex sekunder",
    video=ContentFile(VIDEO.read_bytes(), name="forelasning.webm"),
)
lecture.full_clean()  # probes the file with ffprobe, as the editor's save does
lecture.save()
check(lecture.duration and lecture.duration >= timedelta(seconds=5), f"duration {lecture.duration}")
LectureCaptionTrack.objects.create(
    lecture=lecture,
    language="sv",
    kind="captions",
    file=ContentFile(CAPTIONS.encode(), name="textning-sv.vtt"),
    is_default=True,
)


def item(kind: str, value: dict) -> dict:
    return {"type": kind, "id": str(uuid.uuid4()), "value": value}


quiz = Quiz(
    title="Kunskapstest",
    pass_mark=100,
    shuffle_questions=False,
    shuffle_choices=False,
    questions=[
        item(
            "single_choice",
            {
                "question": "Hur många diskrimineringsgrunder har lagen?",
                "choices": [
                    item("item", {"text": "Fem", "correct": False, "feedback": ""}),
                    item("item", {"text": "Sju", "correct": True, "feedback": ""}),
                ],
                "explanation": "",
                "points": 1,
            },
        )
    ],
)
quiz.save()
quiz.save_revision().publish()
module = course.add_child(
    instance=ModulePage(
        title="Grundmodul",
        slug="grundmodul",
        level=1,
        estimated_minutes=10,
        live=True,
        steps=[
            item("lecture", {"lecture": lecture.pk, "required_share": 90, "required": True}),
            item("quiz", {"quiz": quiz.pk, "pass_required": True, "required": True}),
        ],
    )
)
module.save_revision().publish()
course.save_revision().publish()
lecture_step, quiz_step = (spec.step_id for spec in module.get_lms_steps())
step(f"run {RUN + 1} in this host: course {course.url}, module {module.url}, quiz")

# --- The learner --------------------------------------------------------------------------
USERNAME = f"larande-{RUN + 1}"
learner = User.objects.create_user(
    USERNAME, password=PASSWORD, first_name=LEARNER[0], last_name=LEARNER[1]
)
browser = Client()
check(browser.get(course.url).status_code == 200, "the course page for a visitor")
response = browser.post(
    reverse("login"),
    {"username": USERNAME, "password": PASSWORD},
)
check(response.status_code == 302, f"login answered {response.status_code}")
response = browser.post(course.url + "anmal/")
check(response.status_code in (302, 303), f"enrolling answered {response.status_code}")
page = browser.get(module.get_lms_step_url(lecture_step))
check(page.status_code == 200, f"the lecture step answered {page.status_code}")
html = page.content.decode()
check("data-heartbeat-url" in html and 'srclang="sv"' in html, "the player with Swedish captions")
video_url = module.url + module.reverse_subpage("video", args=[lecture_step])
check(browser.get(video_url, HTTP_RANGE="bytes=0-99").status_code == 206, "the video's range")

# Watch at 2x: every second of wall time the player reports two seconds of video.
session = uuid.uuid4().hex
duration = lecture.duration.total_seconds()
position, seq, answer = 0.0, 0, {}
api(
    browser,
    "record_heartbeat",
    {
        "module_id": module.pk,
        "step_id": lecture_step,
        "session_id": session,
        "seq": seq,
        "ranges": [],
        "position": 0,
        "duration": duration,
    },
)
while position < duration:
    time.sleep(1.05)
    seq += 1
    end = min(position + 2.0, duration)
    response = api(
        browser,
        "record_heartbeat",
        {
            "module_id": module.pk,
            "step_id": lecture_step,
            "session_id": session,
            "seq": seq,
            "ranges": [[position, end]],
            "position": end,
            "duration": duration,
        },
    )
    check(
        response.status_code == 200, f"heartbeat {seq}: {response.status_code} {response.content!r}"
    )
    answer = response.json()
    position = end
check(answer.get("completed"), f"the lecture watched at 2x is not complete: {answer}")
step(f"watched at 2x in {seq} heartbeats: {answer['watched_share']:.0%}")

# The quiz, answered right (the answers come from the database, never from the page).
response = api(browser, "start_quiz_attempt", {"module_id": module.pk, "step_id": quiz_step})
check(
    response.status_code == 200, f"starting the quiz: {response.status_code} {response.content!r}"
)
attempt = QuizAttempt.objects.get(pk=response.json()["attempt_id"])
rules = attempt.revision.as_object().get_lms_quiz_rules()
answers = {q.question_id: [c.choice_id for c in q.choices if c.correct] for q in rules.questions}
response = api(
    browser,
    "submit_quiz_attempt",
    {"module_id": module.pk, "answers": answers},
    attempt_id=attempt.pk,
)
check(
    response.status_code == 200, f"submitting the quiz: {response.status_code} {response.content!r}"
)
check(response.json().get("passed"), f"the quiz is not passed: {response.json()}")
step("quiz passed")

# --- The certificate: rendered by the task worker, naming the learner ----------------------
certificates = Certificate.objects.filter(user=learner)
check(certificates.exists(), "no certificate was issued")
from django_q.models import OrmQ  # noqa: E402

# The task worker (README step 5), until the queue is empty: `--run-once` takes one task.
for _round in range(10):
    if not OrmQ.objects.exists():
        break
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "qcluster", "--run-once"],
        check=True,
        timeout=300,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
check(not OrmQ.objects.exists(), "the task queue is not empty after ten rounds of the worker")
certificate = certificates.get(kind="course")
response = browser.get(reverse("certificates:download", args=[certificate.code]))
check(response.status_code == 200, f"the PDF answered {response.status_code}")
pdf = Path("certificate.pdf")
pdf.write_bytes(b"".join(response) if response.streaming else response.content)
text = subprocess.run(  # noqa: S603
    ["pdftotext", str(pdf), "-"],  # noqa: S607 - poppler-utils, from PATH
    check=True,
    capture_output=True,
    text=True,
).stdout
check(" ".join(LEARNER) in " ".join(text.split()), f"the PDF does not name the learner: {text!r}")
step(f"certificate {certificate.code}: the PDF names {' '.join(LEARNER)}")

# --- An HR view lists them ------------------------------------------------------------------
hr = User.objects.create_user(f"hr-{RUN + 1}")  # logged in by the test client
hr_client = Client()
hr_client.force_login(hr)
# The learner's unit, and HR's reporting scope on it (the wall: HR sees their own people).
unit = Organisation.add_root(name=f"Exempelkommunen {RUN + 1}")
LearnerProfile.objects.create(user=learner, unit=unit)
Membership.objects.create(user=learner, unit=unit)
group = Group.objects.create(name=f"HR Exempelkommunen {RUN + 1}")
hr.groups.add(group)
ReportingScope.objects.create(group=group, unit=unit)
if VARIANT == "full":
    # The coordinators' screens: the course assigned to the unit, its people listed.
    from wagtail_learning.compliance.api import Assignment, apply_assignment

    group.permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "view_compliance"],
            content_type__app_label__in=["wagtailadmin", "compliance"],
        )
    )
    apply_assignment(
        Assignment.objects.create(
            course=course,
            unit=unit,
            audience=Assignment.Audience.ALL,
            due_mode=Assignment.DueMode.AFTER_ASSIGNMENT,
            due_days=30,
        )
    )
    url = reverse("hr_unit_people", args=[unit.pk, course.pk])
else:
    # Without the HR screens: the certificates' admin listing.
    group.permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "view_certificate"],
            content_type__app_label__in=["wagtailadmin", "certificates"],
        )
    )
    url = reverse("certificates_certificate:index")
response = hr_client.get(url)
check(response.status_code == 200, f"{url} answered {response.status_code}")
check(" ".join(LEARNER) in response.content.decode(), f"{url} does not list the learner")
step(f"HR: {url} lists {' '.join(LEARNER)}")

# --- The host's own pages still work ---------------------------------------------------------
check(Client().get("/").status_code == 200, "the host's home page")
check(browser.get(course.url).status_code == 200, "the course page for the learner")
print(f"plugin journey passed ({VARIANT}, Wagtail {__import__('wagtail').__version__})")
os._exit(0)  # django-q2's broker threads are not ours to wait for
