"""The platform's learning events reach an organisation's LRS (ralph, a real one) as
valid xAPI 1.0.3 statements, through the outbox and the task queue (docs/xapi.md)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from tests.events.helpers import make_event
from tests.xapi.helpers import LectureAndQuizCourse, learner_in, municipality
from wagtail_learning.certificates.models import Certificate
from wagtail_learning.events import api as events
from wagtail_learning.xapi import api as xapi
from wagtail_learning.xapi.models import StatementOutbox
from wagtail_learning.xapi.outbox import send_due

pytestmark = pytest.mark.django_db

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
EARNED = "http://id.tincanapi.com/verb/earned"


def received(lrs, rows) -> dict[str, dict]:
    """What the LRS stored of these outbox rows, by statement id."""
    ids = {str(row.statement_id) for row in rows}
    return {s["id"]: s for s in lrs.stored() if s["id"] in ids}


def test_a_learners_journey_arrives_in_the_lrs_as_valid_statements(
    lrs, django_capture_on_commit_callbacks
):
    kommun, unit, connection = municipality(lrs, name="Sigtuna kommun")
    learner = learner_in(unit, "ada")
    course = LectureAndQuizCourse()

    with django_capture_on_commit_callbacks(execute=True):
        course.watch(learner)
        course.answer(learner, correct=False)
        course.answer(learner, correct=True)  # completes the module, then the course
    session = make_event(title="Nätverksträff").sessions.get()
    with django_capture_on_commit_callbacks(execute=True):
        events.register(learner, event=session.page)
        events.mark_attendance(learner, session=session, attended=True, now=session.start)
        xapi.record_package_result(
            learner, module_id=course.module.pk, step_id="paket-1", cycle=1, attempt=1,
            completed=True, passed=True, score_scaled=0.8,
        )  # fmt: skip

    rows = list(StatementOutbox.objects.filter(connection=connection))
    assert Certificate.objects.filter(user=learner).count() == 2  # module and course
    assert sorted(row.event for row in rows) == sorted(
        [
            "lecture_watched", "quiz_failed", "quiz_passed", "module_completed",
            "course_completed", "certificate_issued", "certificate_issued",
            "event_attended", "package_passed",
        ]
    )  # fmt: skip
    assert {row.state for row in rows} == {"sent"}
    stored = received(lrs, rows)
    assert len(stored) == len(rows)
    assert lrs.validation_errors() == []  # ralph's xAPI 1.0.3 model, over all it stored

    by_event = {row.event: stored[str(row.statement_id)] for row in rows}
    verbs = {event: s["verb"]["id"] for event, s in by_event.items()}
    assert verbs == {
        "lecture_watched": COMPLETED, "quiz_failed": FAILED, "quiz_passed": PASSED,
        "module_completed": COMPLETED, "course_completed": COMPLETED,
        "certificate_issued": EARNED, "event_attended": ATTENDED, "package_passed": PASSED,
    }  # fmt: skip
    passed = by_event["quiz_passed"]["result"]
    assert passed["success"] is True and passed["score"]["scaled"] == 1.0
    assert by_event["quiz_failed"]["result"]["score"]["scaled"] == 0.0
    assert by_event["package_passed"]["result"]["score"] == {"scaled": 0.8}
    assert by_event["quiz_passed"]["object"]["definition"]["type"] == (
        "http://adlnet.gov/expapi/activities/assessment"
    )
    parents = by_event["quiz_passed"]["context"]["contextActivities"]
    assert parents["parent"][0]["definition"]["name"] == {"sv-SE": "Minoriteternas rättigheter"}
    assert parents["grouping"][0]["definition"]["name"] == {"sv-SE": "Nationella minoriteter"}
    assert "Nätverksträff" in by_event["event_attended"]["object"]["definition"]["name"]["sv-SE"]

    # The actor: an account on the organisation's home page, named by an opaque id that
    # is the same in every statement and is neither the username, the email nor the
    # employee number.
    actors = {str(s["actor"]) for s in stored.values()}
    assert len(actors) == 1
    account = next(iter(stored.values()))["actor"]["account"]
    assert account["homePage"] == connection.home_page
    assert len(account["name"]) == 32
    text = str(list(stored.values()))
    for identifier in ("anst-ada", "ada@kommun.example.se", "nr-ada"):
        assert identifier not in text.replace(account["name"], "")


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("mbox", {"objectType": "Agent", "mbox": "mailto:bo@kommun.example.se"}),
        ("employee_number", {"objectType": "Agent", "account": {"name": "nr-bo"}}),
    ],
)
def test_the_actor_carries_what_the_organisation_chose(
    lrs, django_capture_on_commit_callbacks, actor, expected
):
    kommun, unit, connection = municipality(lrs, actor=actor)
    learner = learner_in(unit, "bo")
    course = LectureAndQuizCourse()
    with django_capture_on_commit_callbacks(execute=True):
        course.watch(learner)

    row = StatementOutbox.objects.get(connection=connection)
    sent = received(lrs, [row])[str(row.statement_id)]["actor"]
    if "account" in expected:
        expected["account"]["homePage"] = connection.home_page
    assert sent == expected


def test_no_lrs_or_a_disabled_one_gets_nothing_and_another_organisation_gets_none_of_ours(
    lrs, django_capture_on_commit_callbacks
):
    _, unit_a, connection_a = municipality(lrs, enabled=False)
    _, unit_b, connection_b = municipality(lrs)
    _, unit_c, _ = municipality()
    course = LectureAndQuizCourse()
    with django_capture_on_commit_callbacks(execute=True):
        course.watch(learner_in(unit_a, "a1"))
        course.watch(learner_in(unit_c, "c1"))
    assert not StatementOutbox.objects.exists()
    assert connection_b.outbox.count() == 0


def test_the_statement_is_written_with_its_event_and_rolls_back_with_it(
    lrs, django_capture_on_commit_callbacks
):
    _, unit, connection = municipality(lrs)
    learner = learner_in(unit, "rb")
    course = LectureAndQuizCourse()
    with django_capture_on_commit_callbacks(execute=True):
        course.watch(learner)
    before = set(connection.outbox.values_list("pk", flat=True))

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        course.answer(learner, correct=True)
        assert connection.outbox.exclude(pk__in=before).count() == 3  # quiz, module, course
        raise Undo
    assert set(connection.outbox.values_list("pk", flat=True)) == before


def test_a_package_result_recorded_twice_is_one_statement(lrs, django_capture_on_commit_callbacks):
    _, unit, connection = municipality(lrs)
    learner = learner_in(unit, "pk")
    course = LectureAndQuizCourse()
    result = dict(module_id=course.module.pk, step_id="scorm", cycle=1, attempt=2, completed=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert xapi.record_package_result(learner, **result) == 1
        assert xapi.record_package_result(learner, **result) == 0
        assert xapi.record_package_result(learner, **result, passed=False, score_scaled=0.3) == 1
    assert sorted(connection.outbox.values_list("event", flat=True)) == [
        "package_completed", "package_failed",
    ]  # fmt: skip
    assert send_due(now=timezone.now()) == 0  # all sent already, on commit
    assert len(received(lrs, connection.outbox.all())) == 2


def test_a_fault_in_building_a_statement_never_fails_the_learners_completion(
    lrs, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from wagtail_learning.lms.models import Completion
    from wagtail_learning.xapi import outbox

    _, unit, connection = municipality(lrs)
    learner = learner_in(unit, "fault")
    course = LectureAndQuizCourse()

    def broken(*args, **kwargs):
        raise ValueError("a bug of ours")

    monkeypatch.setattr(outbox, "build_statement", broken)
    with django_capture_on_commit_callbacks(execute=True):
        course.watch(learner)
        course.answer(learner, correct=True)
    assert Completion.objects.filter(user=learner, kind="course").exists()
    assert not connection.outbox.exists()
    assert "No xAPI statement for QuizAttempt" in caplog.text
