"""A course is for its audience on every path (decision 0033).

A staff course (not open to external participants) with a module holding every kind of
step, a member of staff and an external participant, both enrolled: the external's
enrolment is one made before the course's audience was checked (or by a path that forgot),
so only the audience stands between them and the content. Every route the course and module
pages have (their sub-routes, found in the page classes, not listed here), every endpoint
of the JSON API (found by walking the resolver) and the document's own URL are requested
as both: the member of staff reaches each (so a refusal is not an accident of a bad URL),
the external participant is refused each with the reason, and nothing is recorded for them.
A route or endpoint added later is walked without anyone listing it here; one the walk
cannot fill in fails the test until it can.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation

from tests.events.helpers import make_event
from tests.factories import (
    VIDEO_BYTES,
    CoursePageFactory,
    DocumentFactory,
    ModulePageFactory,
    QuizFactory,
    UserFactory,
    document_step,
    enrol,
    in_english,
    learner_profile,
    lecture_step,
    lecture_with_captions,
    new_id,
    quiz_attempt_for,
    quiz_step,
    reading_step,
    reflection_step,
)
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.events.models import EventPage
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Completion, Enrolment, QuizAttempt, StepProgress
from wagtail_learning.modules.models import ModulePage
from wagtail_learning.org.models import LearnerProfile

pytestmark = pytest.mark.django_db

REFUSAL = "This course is not open to external participants."
# Endpoints of the JSON API that are about no course: what they answer is the same for
# everyone, or only about the asker's own enrolments (checked on their own below).
NOT_ABOUT_A_COURSE = {
    "api-v1:openapi-json": "the API's description",
    "api-v1:openapi-view": "the API's documentation page",
    "api-v1:my_progress": "the asker's own courses: tested below",
    "api-v1:api-root": "the API's root, about nothing",
}


def external_participant(**kwargs):
    user = UserFactory(**kwargs)
    learner_profile(user, kind=LearnerProfile.Kind.EXTERNAL)
    return user


def enrolled_directly(user, course) -> Enrolment:
    """An enrolment made without the engine's rules: as one from before them, or by a path
    that forgot them."""
    return Enrolment.objects.create(user=user, course_id=course.pk, source=Enrolment.Source.ADMIN)


@dataclass
class World:
    course: CoursePage
    module: ModulePage
    document: object
    steps: dict[str, str]  # step id by kind
    track_ids: list[int]
    staff: object
    external: object
    attempts: dict[int, int] = field(default_factory=dict)  # attempt id by user id


@pytest.fixture
def world():
    course = CoursePageFactory(title="Jämlik styrning")  # open_to_external is off
    event = make_event(parent=course)
    recording = lecture_with_captions(title="Inspelningen", duration=timedelta(minutes=2))
    page = EventPage.objects.get(pk=event.pk)
    sessions = list(page.sessions.all())
    sessions[0].start = timezone.now() - timedelta(days=1, hours=2)
    sessions[0].end = timezone.now() - timedelta(days=1)
    sessions[0].recording = recording
    page.sessions = sessions
    page.save_revision().publish()
    document = DocumentFactory()
    lecture = lecture_with_captions(duration=timedelta(minutes=5))
    live = {
        "type": "live_session",
        "id": new_id(),
        "value": {"event": event.pk, "session_number": 1, "required_share": 80, "required": True},
    }
    blocks = {
        "lecture": lecture_step(lecture),
        "reading": reading_step(
            body=f'<p>Läs <a linktype="document" id="{document.pk}">handboken</a>.</p>'
        ),
        "document": document_step(document),
        "quiz": quiz_step(QuizFactory()),
        "reflection": reflection_step(min_length=10),
        "live_session": live,
    }
    module = ModulePageFactory(parent=course, title="Styrning", steps=list(blocks.values()))
    module = ModulePage.objects.get(pk=module.pk)
    staff = UserFactory()
    learner_profile(staff)
    enrol(staff, course)
    external = external_participant()
    enrolled_directly(external, course)
    w = World(
        course=course,
        module=module,
        document=document,
        steps={kind: block["id"] for kind, block in blocks.items()},
        track_ids=[t.pk for lec in (lecture, recording) for t in lec.caption_tracks.all()],
        staff=staff,
        external=external,
    )
    for user in (staff, external):
        w.attempts[user.pk] = quiz_attempt_for(user, module, w.steps["quiz"]).pk
    return w


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return in_english(client)


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# --- The pages' routes, from the page classes -----------------------------------------------


def subpage_urls(page, examples: dict[str, list]) -> dict[str, list[str]]:
    """Every route of the page's class, filled with `examples` for its parameters: the
    URLs by route name. A parameter without examples fails the test."""
    urls = {}
    for pattern in type(page).get_subpage_urls():
        names = list(pattern.pattern.converters)
        missing = [name for name in names if name not in examples]
        assert not missing, f"route {pattern.name!r}: no example for {missing}; add one"
        urls[pattern.name] = [
            page.url
            + page.reverse_subpage(pattern.name, kwargs=dict(zip(names, values, strict=True)))
            for values in itertools.product(*(examples[name] for name in names))
        ]
    return urls


def module_examples(w: World) -> dict[str, list]:
    return {
        "step_id": list(w.steps.values()),
        "track_id": w.track_ids,
        "document_id": [w.document.pk],
    }


def test_every_route_of_the_course_and_its_module_refuses_an_external_participant(world):
    staff, external = client_for(world.staff), client_for(world.external)
    routes = {
        **{f"course:{n}": u for n, u in subpage_urls(world.course, {}).items()},
        **{f"module:{n}": u for n, u in subpage_urls(world.module, module_examples(world)).items()},
    }
    assert {"course:overview", "course:enrol", "module:video", "module:captions"} <= set(routes)
    reached = {}
    for name, urls in routes.items():
        method = "post" if name == "course:enrol" else "get"
        ok = [url for url in urls if getattr(staff, method)(url).status_code in (200, 206, 302)]
        assert ok, f"{name}: the member of staff reached none of {urls}"
        reached[name] = ok
    for name, urls in reached.items():
        method = "post" if name == "course:enrol" else "get"
        for url in urls:
            response = getattr(external, method)(url)
            assert response.status_code == 403, (name, url, response.status_code)
            content = body(response)
            assert REFUSAL.encode() in content, (name, url)
            assert VIDEO_BYTES[:32] not in content, (name, url)
            assert b"WEBVTT" not in content and b"%PDF" not in content, (name, url)
    print(f"\n{sum(map(len, reached.values()))} URLs of {len(reached)} routes refused")


def test_posting_to_any_step_records_nothing_for_an_external_participant(world):
    external = client_for(world.external)
    for kind, step_id in world.steps.items():
        url = world.module.url + world.module.reverse_subpage("step", args=[step_id])
        for data in (
            {},
            {"action": "start"},
            {"attempt": world.attempts[world.external.pk], "q-x": "y"},
            {"answer": "Det här tar jag med mig till nästa möte."},
        ):
            response = external.post(url, data)
            assert response.status_code == 403, (kind, data, response.status_code)
    assert not StepProgress.objects.filter(user=world.external).exists()
    assert not Completion.objects.filter(user=world.external).exists()
    assert QuizAttempt.objects.filter(user=world.external, submitted_at__isnull=False).count() == 0


# --- The JSON API, from the resolver --------------------------------------------------------


def api_patterns():
    """(full name, pattern) of every endpoint under /api/v1/."""

    def walk(patterns, namespaces=()):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                spaces = (*namespaces, entry.namespace) if entry.namespace else namespaces
                yield from walk(entry.url_patterns, spaces)
            elif isinstance(entry, URLPattern) and namespaces[:1] == ("api-v1",):
                yield ":".join((*namespaces, entry.name)), entry

    return list(walk(get_resolver().url_patterns))


def api_payloads(w: World, user) -> dict[str, tuple[dict, dict]]:
    """(body, URL kwargs) for each endpoint about a course's content, as `user` sends it."""
    module, steps = w.module.pk, w.steps
    return {
        "api-v1:record_heartbeat": (
            {
                "module_id": module,
                "step_id": steps["lecture"],
                "session_id": "tab-00000001",
                "seq": 0,
                "ranges": [[0, 1]],
                "position": 1,
            },
            {},
        ),
        "api-v1:complete_step": ({"module_id": module, "step_id": steps["reading"]}, {}),
        "api-v1:save_reflection": (
            {"module_id": module, "step_id": steps["reflection"], "answer": "Det tar jag med."},
            {},
        ),
        "api-v1:start_quiz_attempt": ({"module_id": module, "step_id": steps["quiz"]}, {}),
        "api-v1:submit_quiz_attempt": (
            {"module_id": module, "answers": {}},
            {"attempt_id": w.attempts[user.pk]},
        ),
    }


def test_every_api_endpoint_about_a_course_refuses_an_external_participant(world):
    import json

    from django.urls import reverse

    names = [name for name, _pattern in api_patterns()]
    about_courses = [name for name in names if name not in NOT_ABOUT_A_COURSE]
    missing = set(about_courses) - set(api_payloads(world, world.staff))
    assert not missing, f"endpoints without an example payload: {missing}; add one"
    for name in about_courses:
        for user, expected in ((world.staff, 200), (world.external, 403)):
            payload, kwargs = api_payloads(world, user)[name]
            response = client_for(user).post(
                reverse(name, kwargs=kwargs or None),
                data=json.dumps(payload),
                content_type="application/json",
            )
            assert response.status_code == expected, (name, user, response.content)
            if expected == 403:
                assert response.json() == {"detail": REFUSAL}, name
    assert not StepProgress.objects.filter(user=world.external).exists()
    assert not Completion.objects.filter(user=world.external).exists()


def test_my_progress_and_the_dashboard_leave_out_a_course_that_is_not_for_me(world):
    from django.urls import reverse

    mine = client_for(world.external).get(reverse("api-v1:my_progress")).json()
    theirs = client_for(world.staff).get(reverse("api-v1:my_progress")).json()

    assert [c["course_id"] for c in theirs["courses"]] == [world.course.pk]
    assert mine == {"courses": []}


def test_wagtails_own_document_url_does_not_hand_out_the_course_document(world):
    response = client_for(world.external).get(world.document.url)

    assert response.status_code == 403
    assert b"%PDF" not in body(response)


# --- Enrolment: every way in asks the same rule ----------------------------------------------


@pytest.mark.parametrize("source", list(Enrolment.Source))
def test_no_enrolment_source_puts_an_external_participant_in_a_staff_course(world, source):
    newcomer = external_participant()

    with pytest.raises(lms.EnrolmentNotAllowed) as refused, translation.override("en"):
        lms.enrol_learner(newcomer, course=world.course, source=source)

    assert refused.value.message == REFUSAL
    assert not Enrolment.objects.filter(user=newcomer).exists()


def test_a_course_open_to_external_participants_admits_both(world):
    world.course.open_to_external = True
    world.course.save_revision().publish()
    course = CoursePage.objects.get(pk=world.course.pk)
    newcomer = external_participant()

    enrolment, created = lms.enrol_learner(newcomer, course=course)

    assert created and enrolment.course_id == course.pk
    module = ModulePage.objects.get(pk=world.module.pk)
    for user in (newcomer, world.external, world.staff):
        assert lms.check_module_access(user=user, module=module).allowed, user
    response = client_for(world.external).get(
        module.url + module.reverse_subpage("video", args=[world.steps["lecture"]])
    )
    assert response.status_code == 200


def test_closing_a_course_to_external_participants_refuses_those_already_enrolled(world):
    """Decision 0033: the audience is who the course is for; an enrolment keeps the
    learner's history, never a way in. (To stop new registrations only, an editor makes
    the enrolment assigned-only.)"""
    world.course.open_to_external = True
    world.course.save_revision().publish()
    module = ModulePage.objects.get(pk=world.module.pk)
    assert lms.check_module_access(user=world.external, module=module).allowed

    world.course.open_to_external = False
    world.course.save_revision().publish()
    module = ModulePage.objects.get(pk=world.module.pk)

    with translation.override("en"):
        decision = lms.check_module_access(user=world.external, module=module)
    assert not decision.allowed
    assert decision.reason == lms.LockReason.NOT_IN_AUDIENCE
    assert decision.message == REFUSAL
    assert lms.check_module_access(user=world.staff, module=module).allowed


def test_an_external_participant_who_is_not_enrolled_is_told_why_not_to_enrol(world):
    newcomer = external_participant()
    module = ModulePage.objects.get(pk=world.module.pk)

    decision = lms.check_module_access(user=newcomer, module=module)

    assert (decision.allowed, decision.reason) == (False, lms.LockReason.NOT_IN_AUDIENCE)
    staff_newcomer = UserFactory()
    decision = lms.check_module_access(user=staff_newcomer, module=module)
    assert decision.reason == lms.LockReason.NOT_ENROLLED


def test_an_editor_of_the_course_may_still_look_as_an_editor(world):
    from tests.factories import editor_of

    editor = editor_of(world.course)
    learner_profile(editor, kind=LearnerProfile.Kind.EXTERNAL)
    enrolled_directly(editor, world.course)
    module = ModulePage.objects.get(pk=world.module.pk)

    decision = lms.check_module_access(user=editor, module=module)

    assert decision.allowed and decision.as_editor
    with pytest.raises(lms.AccessDenied):
        lms.require_learner_access(user=editor, module=module)


def test_the_refusal_is_in_swedish_first(world):
    client = Client()
    client.force_login(world.external)

    response = client.get(world.module.url)

    assert response.status_code == 403
    page = response.content.decode()
    assert "Den här kursen är inte för dig" in page  # not "the module is locked"
    assert "Den här kursen är inte öppen för externa deltagare." in page


def test_a_heartbeat_from_a_snapshot_kept_before_the_course_closed_is_refused(world):
    world.course.open_to_external = True
    world.course.save_revision().publish()
    payload, _kwargs = api_payloads(world, world.external)["api-v1:record_heartbeat"]
    client = client_for(world.external)
    from tests.factories import api_post

    assert api_post(client, "record_heartbeat", payload).status_code == 200  # kept now
    world.course.open_to_external = False
    world.course.save_revision().publish()
    payload["seq"] = 1

    response = api_post(client, "record_heartbeat", payload)

    assert response.status_code == 403
    assert response.json() == {"detail": REFUSAL}


def test_staff_keep_the_heartbeat_at_its_floor_in_a_staff_course(world, django_assert_num_queries):
    """The audience rides on the heartbeat's one read of access and progress: four queries."""
    from tests.factories import api_post

    payload, _kwargs = api_payloads(world, world.staff)["api-v1:record_heartbeat"]
    client = client_for(world.staff)
    assert api_post(client, "record_heartbeat", payload).status_code == 200
    payload["seq"], payload["ranges"], payload["position"] = 1, [[1, 2]], 2

    with django_assert_num_queries(4):
        response = api_post(client, "record_heartbeat", payload)

    assert response.status_code == 200
