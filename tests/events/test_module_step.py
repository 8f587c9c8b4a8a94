"""A live session as a step of a module: attending completes it; so does watching the
recording to the required share (the honest watch tracking, not a position jump)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    enrol,
    new_id,
    org_unit,
)
from wagtail_learning.events import api as events
from wagtail_learning.events.models import EventPage
from wagtail_learning.lms import api as lms

from .helpers import make_event, people

pytestmark = pytest.mark.django_db


def live_step(event, number=1, share=80):
    return {
        "type": "live_session",
        "id": new_id(),
        "value": {"event": event.pk, "session_number": number, "required_share": share,
                  "required": True},
    }  # fmt: skip


@pytest.fixture
def course_with_live_step():
    course = CoursePageFactory(title="Interkulturellt ledarskap")
    event = make_event(parent=course, seats=5)
    step = live_step(event)
    module = ModulePageFactory(parent=course, title="Träffen", steps=[step])
    module = type(module).objects.get(pk=module.pk)
    attendee, absentee = people(org_unit("Botkyrka kommun"), 2)
    for person in (attendee, absentee):
        enrol(person, course)
        events.register(person, event=event)
    # The session took place yesterday; the recording is attached afterwards.
    page = EventPage.objects.get(pk=event.pk)
    sessions = list(page.sessions.all())
    sessions[0].start = timezone.now() - timedelta(days=1, hours=2)
    sessions[0].end = timezone.now() - timedelta(days=1)
    sessions[0].recording = LectureFactory(title="Inspelning", duration=timedelta(minutes=2))
    page.sessions = sessions
    page.save_revision().publish()
    return module, step["id"], page.sessions.get(), attendee, absentee


def step_done(user, module, step_id) -> bool:
    state = lms.get_module_progress(user=user, module=module)
    return next(s for s in state.steps if s.spec.step_id == step_id).completed


def test_attending_live_completes_the_step(
    course_with_live_step, django_capture_on_commit_callbacks
):
    module, step_id, session, attendee, absentee = course_with_live_step
    with django_capture_on_commit_callbacks(execute=True):
        events.mark_attendance(attendee, session=session, attended=True)
        events.mark_attendance(absentee, session=session, attended=False)
    assert step_done(attendee, module, step_id)
    assert not step_done(absentee, module, step_id)


def test_a_no_show_completes_it_by_watching_the_recording_honestly(course_with_live_step):
    module, step_id, _session, _attendee, absentee = course_with_live_step
    t0 = timezone.now()
    # A jump to the end credits nothing.
    result = lms.record_watch(
        absentee, module=module, step_id=step_id, session_id="tab-0000001", seq=0,
        ranges=[(0, 120)], position=120, now=t0,
    )  # fmt: skip
    assert not result.completed
    position, seq = 0.0, 1
    while position < 110:
        result = lms.record_watch(
            absentee, module=module, step_id=step_id, session_id="tab-0000001", seq=seq,
            ranges=[(position, position + 10)], position=position + 10,
            now=t0 + timedelta(seconds=10 * seq),
        )  # fmt: skip
        position += 10
        seq += 1
    assert result.completed
    assert step_done(absentee, module, step_id)


def test_the_step_page_plays_the_recording_to_the_no_show(course_with_live_step):
    module, step_id, _session, _attendee, absentee = course_with_live_step
    client = Client()
    client.force_login(absentee)
    html = client.get(module.get_lms_step_url(step_id)).content.decode()
    assert "data-lecture-player" in html
    video_url = module.url + module.reverse_subpage("video", args=[step_id])
    assert client.get(video_url).status_code in (200, 206)
    # Nobody else gets the video through this step.
    assert Client().get(video_url).status_code in (302, 403)


def test_marking_attendance_reads_only_the_modules_with_a_live_session(
    course_with_live_step, django_capture_on_commit_callbacks
):
    """Attendance is marked a person at a time (a list of 200 is 200 marks): each must
    not load and walk every live module's steps on the platform."""
    from django.db.models.signals import post_init

    from wagtail_learning.modules.models import ModulePage

    module, step_id, session, attendee, absentee = course_with_live_step
    for number in range(12):  # modules without a live session
        ModulePageFactory(title=f"Annan modul {number}")
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance.pk)

    post_init.connect(count, sender=ModulePage)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.mark_attendance(attendee, session=session, attended=True)
    finally:
        post_init.disconnect(count, sender=ModulePage)
    assert set(loaded) == {module.pk}
    assert step_done(attendee, module, step_id)
