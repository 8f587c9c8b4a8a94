"""The heartbeat endpoint at its floor: four queries for a beat (session, user, the
progress row read together with access, one UPDATE), the module from a snapshot that no
edit outlives, and the careful path (a row lock) whenever the short one cannot keep
today's guarantees."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    api_post,
    completed_module,
    enrolled_learner,
    lecture_step,
    reading_step,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms import progress as progress_module
from wagtail_learning.lms.models import Completion, StepProgress

# Session (1) and user (2) for the login; the progress row of the enrolment's cycle, with
# the enrolment, prerequisites and the page's freshness, in one query (3); one UPDATE (4).
HEARTBEAT_QUERIES = 4


@pytest.fixture
def lecture():
    return LectureFactory(duration=timedelta(seconds=100))


@pytest.fixture
def setup(lecture):
    course = CoursePageFactory()
    first = ModulePageFactory(parent=course, steps=[reading_step()])
    module = ModulePageFactory(
        parent=course, steps=[lecture_step(lecture), reading_step()], prerequisites=[first]
    )
    learner = enrolled_learner(course)
    completed_module(learner, first)
    return module, learner


def beat(client, module, seq, ranges, *, session="tab-one-0001"):
    return api_post(
        client,
        "record_heartbeat",
        {
            "module_id": module.pk,
            "step_id": module.steps[0].id,
            "session_id": session,
            "seq": seq,
            "ranges": ranges,
            "position": ranges[-1][1] if ranges else 0,
        },
    )


@pytest.mark.django_db
def test_a_heartbeat_costs_four_queries(client, setup, django_assert_num_queries):
    module, learner = setup
    client.force_login(learner)
    assert beat(client, module, 0, []).status_code == 200  # creates the row, fills the cache

    with django_assert_num_queries(HEARTBEAT_QUERIES):
        response = beat(client, module, 1, [[0, 2]])

    assert response.status_code == 200
    assert response.json()["credited_seconds"] == 2
    row = StepProgress.objects.get(user=learner, module_id=module.pk)
    assert row.watched_ranges == [[0, 2]]
    assert row.playback_sessions["tab-one-0001"]["seq"] == 1
    assert row.watch_version == 2


@pytest.mark.django_db
def test_a_repeated_beat_is_ignored_in_three_queries(client, setup, django_assert_num_queries):
    module, learner = setup
    client.force_login(learner)
    beat(client, module, 0, [])
    beat(client, module, 1, [[0, 2]])

    with django_assert_num_queries(HEARTBEAT_QUERIES - 1):
        response = beat(client, module, 1, [[0, 2]])

    assert response.json()["ignored"] is True
    assert StepProgress.objects.get(user=learner, module_id=module.pk).watch_version == 2


@pytest.mark.django_db
def test_an_unpublished_module_takes_no_more_beats(client, setup):
    module, learner = setup
    client.force_login(learner)
    beat(client, module, 0, [])
    module.unpublish()

    assert beat(client, module, 1, [[0, 2]]).status_code == 404


@pytest.mark.django_db
def test_a_prerequisite_added_later_locks_the_module_for_the_next_beat(client, setup):
    module, learner = setup
    client.force_login(learner)
    beat(client, module, 0, [])
    other = ModulePageFactory(parent=module.get_parent(), steps=[reading_step()])
    module.prerequisites.add(other)
    module.save_revision().publish()

    response = beat(client, module, 1, [[0, 2]])

    assert response.status_code == 403
    assert other.title in response.json()["detail"]


@pytest.mark.django_db
def test_a_prerequisite_in_place_without_a_publish_still_locks(client, setup):
    """An edit saved straight to the page row (code, not the admin) is seen too."""
    module, learner = setup
    client.force_login(learner)
    beat(client, module, 0, [])
    module.available_from = timezone.now() + timedelta(days=1)
    module.save()

    assert beat(client, module, 1, [[0, 2]]).status_code == 403


@pytest.mark.django_db
def test_a_withdrawn_learner_is_refused_at_once(client, setup):
    module, learner = setup
    client.force_login(learner)
    beat(client, module, 0, [])
    lms.Enrolment.objects.filter(user=learner).update(status=lms.Enrolment.Status.WITHDRAWN)

    assert beat(client, module, 1, [[0, 2]]).status_code == 403


@pytest.mark.django_db
def test_a_lectures_new_duration_applies_to_the_next_beat(client, setup, lecture):
    module, learner = setup
    client.force_login(learner)
    beat(client, module, 0, [])
    lecture.duration = timedelta(seconds=50)
    lecture.save()

    beat(client, module, 1, [[0, 2]])

    assert StepProgress.objects.get(user=learner, module_id=module.pk).duration_seconds == 50


@pytest.mark.django_db
def test_the_beat_that_reaches_the_share_completes_the_step_and_module(setup):
    module, learner = setup
    step_id = module.steps[0].id
    t0 = timezone.now()
    for seq in range(11):
        played = [(seq * 10 - 10, seq * 10)] if seq else []
        result = lms.record_heartbeat(
            learner,
            module_id=module.pk,
            step_id=step_id,
            session_id="tab-one-0001",
            seq=seq,
            ranges=played,
            position=seq * 10,
            now=t0 + timedelta(seconds=10 * seq),
        )
        assert result.completed == (seq >= 9), seq  # 90 of 100 seconds
    row = StepProgress.objects.get(user=learner, module_id=module.pk, step_id=step_id)
    assert row.completed_at is not None
    lms.complete_step(learner, module=module, step_id=module.steps[1].id)
    assert Completion.objects.filter(user=learner, page_id=module.pk).count() == 1


@pytest.mark.django_db
def test_a_beat_that_lost_the_race_is_redone_under_the_lock(setup, monkeypatch):
    """Another beat writes the row between this beat's read and its UPDATE: the UPDATE
    matches nothing, and the beat is applied again to the row as the other left it."""
    module, learner = setup
    step_id = module.steps[0].id
    t0 = timezone.now()

    def send(seq, ranges, at, session="tab-one-0001"):
        return lms.record_heartbeat(
            learner,
            module_id=module.pk,
            step_id=step_id,
            session_id=session,
            seq=seq,
            ranges=ranges,
            position=ranges[-1][1] if ranges else 0,
            now=t0 + timedelta(seconds=at),
        )

    send(0, [], 0)
    original = progress_module._apply_beat
    calls = []

    def interleaved(row, **beat):
        calls.append(row.watch_version)
        if len(calls) == 1:  # the other tab's beat lands now
            monkeypatch.setattr(progress_module, "_apply_beat", original)
            send(0, [(50, 60)], 10, session="tab-two-0001")
            monkeypatch.setattr(progress_module, "_apply_beat", interleaved)
        return original(row, **beat)

    monkeypatch.setattr(progress_module, "_apply_beat", interleaved)
    result = send(1, [(0, 10)], 10)

    assert calls == [1, 2]  # read at version 1, redone at the other tab's version 2
    row = StepProgress.objects.get(user=learner, module_id=module.pk, step_id=step_id)
    assert row.watched_ranges == [[0, 10], [50, 60]]
    assert set(row.playback_sessions) == {"tab-one-0001", "tab-two-0001"}
    # One clock for both tabs: 12 s of wall time at 2x allowed 24 s, not 20 + 20.
    assert result.credited_seconds == 10
    assert row.watched_seconds == 20
    assert row.watch_version == 3
