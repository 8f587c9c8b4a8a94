"""Who may open what: every kind of visitor against every way into a module's content.

Pages, the JSON API and the protected files all ask lms.check_module_access; this table
holds them to the same answer.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    VIDEO_BYTES,
    CoursePageFactory,
    DocumentFactory,
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    SuperuserFactory,
    UserFactory,
    api_post,
    completed_module,
    document_step,
    editor_of,
    enrolled_learner,
    in_english,
    lecture_step,
    quiz_attempt_for,
    quiz_step,
    reading_step,
    route,
)
from wagtail_learning.lms.models import StepProgress


@dataclass
class World:
    course: object
    prerequisite: object
    module: object
    lecture: str
    quiz: str
    document: str
    reading: str


@pytest.fixture
def world():
    course = CoursePageFactory(title="Nationella minoriteter")
    prerequisite = ModulePageFactory(parent=course, title="Grundkurs", steps=[reading_step()])
    module = ModulePageFactory(
        parent=course,
        title="Fördjupning",
        prerequisites=[prerequisite],
        steps=[
            lecture_step(LectureFactory()),
            quiz_step(QuizFactory()),
            document_step(DocumentFactory()),
            reading_step(),
        ],
    )
    lecture, quiz, document, reading = (block.id for block in module.steps)
    return World(course, prerequisite, module, lecture, quiz, document, reading)


def make_user(who: str, world: World):
    if who == "anonymous":
        return None
    if who == "not_enrolled":
        return UserFactory()
    if who == "editor":
        return editor_of(world.course)
    if who == "superuser":
        return SuperuserFactory()
    learner = enrolled_learner(world.course)
    if who == "unlocked":
        completed_module(learner, world.prerequisite)
    return learner  # "locked": enrolled, prerequisite not done


def send(client, what: str, world: World, user):
    module = world.module
    if what in ("quiz_form", "quiz_api"):
        # An attempt of their own, made directly: one they could not have started.
        attempt_id = quiz_attempt_for(user, module, world.quiz).pk if user else 1
        if what == "quiz_form":
            return client.post(
                route(module, "step", world.quiz), {"action": "submit", "attempt": attempt_id}
            )
        return api_post(
            client,
            "submit_quiz_attempt",
            {"module_id": module.pk, "answers": {}},
            attempt_id=attempt_id,
        )
    if what == "heartbeat":
        return api_post(
            client,
            "record_heartbeat",
            {
                "module_id": module.pk,
                "step_id": world.lecture,
                "session_id": "tab-00000001",
                "seq": 0,
                "ranges": [[0, 1]],
                "position": 1,
            },
        )
    url = {
        "module_page": module.url,
        "step_page": route(module, "step", world.reading),
        "document": route(module, "document", world.document),
        "video": route(module, "video", world.lecture),
    }[what]
    return client.get(url)


WHAT = ["module_page", "step_page", "quiz_form", "quiz_api", "heartbeat", "document", "video"]
WHO = ["anonymous", "not_enrolled", "locked", "unlocked", "editor", "superuser"]
# One row per route, one column per visitor, as in WHO. Editors (and superusers) who are
# not enrolled may look at everything but record nothing: writes are refused.
EXPECTED = {
    "module_page": [302, 403, 403, 200, 200, 200],
    "step_page": [302, 403, 403, 200, 200, 200],
    "quiz_form": [302, 403, 403, 302, 403, 403],
    "quiz_api": [401, 403, 403, 200, 403, 403],
    "heartbeat": [401, 403, 403, 200, 403, 403],
    "document": [403, 403, 403, 200, 200, 200],
    "video": [403, 403, 403, 200, 200, 200],
}
CASES = [
    pytest.param(what, who, EXPECTED[what][i], id=f"{what}-{who}")
    for what in WHAT
    for i, who in enumerate(WHO)
]


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.django_db
@pytest.mark.parametrize(("what", "who", "status"), CASES)
def test_access(client, world, what, who, status):
    user = make_user(who, world)
    if user is not None:
        client.force_login(user)
    in_english(client)

    response = send(client, what, world, user)

    assert response.status_code == status
    content = body(response)
    if status == 302 and who == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")
    if status in (401, 403) and what == "video":
        assert VIDEO_BYTES[:32] not in content
    if status in (401, 403) and what == "document":
        assert b"%PDF" not in content
    editor_message = "You are viewing this module as an editor; enrol to record progress."
    if status == 403 and what in ("module_page", "step_page", "quiz_form"):
        page = content.decode()
        if who in ("editor", "superuser"):
            assert editor_message in page
        elif who == "not_enrolled":
            assert "Enrol in the course to open its modules." in page
            assert f'href="{world.course.url}"' in page
        else:  # locked
            assert f"Complete {world.prerequisite.title} first." in page
            assert f'href="{world.prerequisite.url}"' in page
    if status == 403 and what in ("quiz_api", "heartbeat"):
        expected = {
            "not_enrolled": "Enrol in the course to open its modules.",
            "locked": f"Complete {world.prerequisite.title} first.",
            "editor": editor_message,
            "superuser": editor_message,
        }[who]
        assert response.json() == {"detail": expected}


@pytest.mark.django_db
def test_the_login_redirect_brings_the_visitor_back_to_the_module(client, world):
    response = client.get(world.module.url)

    assert response.status_code == 302
    assert response["Location"] == f"/konto/logga-in/?next={world.module.url}"


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["module_page", "step_page", "document", "video", "heartbeat"])
def test_a_module_not_open_yet_is_refused_with_its_opening_date(client, world, what):
    world.module.available_from = timezone.now() + timedelta(days=3)
    world.module.save_revision().publish()
    world.module.refresh_from_db()
    learner = enrolled_learner(world.course)
    completed_module(learner, world.prerequisite)
    client.force_login(learner)
    in_english(client)

    response = send(client, what, world, learner)

    assert response.status_code == 403
    if what in ("module_page", "step_page"):
        assert "Opens " in response.content.decode()


@pytest.mark.django_db
def test_an_editor_opening_the_document_does_not_collect_progress(client, world):
    editor = editor_of(world.course)
    client.force_login(editor)

    response = client.get(route(world.module, "document", world.document))

    assert response.status_code == 200
    assert not StepProgress.objects.filter(user=editor).exists()


@pytest.mark.django_db
def test_a_withdrawn_learner_is_refused_like_one_never_enrolled(client, world):
    from wagtail_learning.lms.models import Enrolment

    learner = enrolled_learner(world.course)
    completed_module(learner, world.prerequisite)
    Enrolment.objects.filter(user=learner).update(status=Enrolment.Status.WITHDRAWN)
    client.force_login(learner)

    assert client.get(world.module.url).status_code == 403
    assert client.get(route(world.module, "video", world.lecture)).status_code == 403


@pytest.mark.django_db
def test_an_editor_of_another_course_is_refused(client, world):
    client.force_login(editor_of(CoursePageFactory()))

    assert client.get(world.module.url).status_code == 403
    assert client.get(route(world.module, "video", world.lecture)).status_code == 403
