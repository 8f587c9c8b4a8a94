"""Where the platform's learning events come from: each source is a model whose save
records an event, read here into a LearningEvent. handlers.py connects them all to
post_save in one place, so the outbox row is written in the event's own transaction,
whichever view, task or import made it."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from functools import lru_cache

from wagtail.models import Page

from .models import LrsConnection
from .statements import Activity, LearningEvent
from .vocabulary import ActivityType, Event


def lrs_in_use() -> bool:
    """Whether any organisation sends statements: checked before an event is read (its
    pages' titles), so a site without an LRS pays one small query per event."""
    return LrsConnection.objects.filter(enabled=True).exists()


def course_activity(page_id: int, title: str = "") -> Activity:
    return Activity(f"course/{page_id}", ActivityType.COURSE, title)


def module_activity(page_id: int, title: str = "") -> Activity:
    return Activity(f"module/{page_id}", ActivityType.MODULE, title)


def _title(page_id: int | None) -> str:
    if page_id is None:
        return ""
    return Page.objects.filter(pk=page_id).values_list("title", flat=True).first() or ""


def module_parents(module_id: int) -> tuple[Activity, ...]:
    """The module, then its course (context parent and grouping)."""
    module = Page.objects.filter(pk=module_id).first()
    if module is None:
        return ()
    module = module.specific
    parents = [module_activity(module.pk, module.title)]
    course_id = getattr(module, "get_lms_course_id", lambda: None)()
    if course_id:
        parents.append(course_activity(course_id, _title(course_id)))
    return tuple(parents)


def _step_title(module_id: int, step_id: str) -> str:
    module = Page.objects.filter(pk=module_id).first()
    steps = getattr(module.specific, "get_lms_steps", lambda: ()) if module else (lambda: ())
    return next((spec.title for spec in steps() if spec.step_id == step_id), "")


def step_activity(module_id: int, step_id: str, type_: str) -> Activity:
    return Activity(f"module/{module_id}/step/{step_id}", type_, _step_title(module_id, step_id))


def lecture_watched(progress, *, created: bool, update_fields) -> LearningEvent | None:
    """lms.StepProgress: a lecture whose required share is watched (completed_at set)."""
    if progress.kind != "lecture" or progress.completed_at is None:
        return None
    # The engine completes a step with save(update_fields=["completed_at", ...]) once
    # (lms.completion.complete_progress); the beats after it save without that field.
    if not created and (update_fields is None or "completed_at" not in update_fields):
        return None
    if not lrs_in_use():
        return None
    return LearningEvent(
        key=f"lecture:{progress.pk}",
        event=Event.LECTURE_WATCHED,
        user=progress.user,
        when=progress.completed_at,
        activity=step_activity(progress.module_id, progress.step_id, ActivityType.VIDEO),
        parents=module_parents(progress.module_id),
        completion=True,
        extensions={
            "https://w3id.org/xapi/video/extensions/progress": round(progress.watched_share, 4)
        },
    )


def quiz_submitted(attempt, *, created: bool, update_fields) -> LearningEvent | None:
    """lms.QuizAttempt: a submitted, graded attempt: passed or failed, with its score."""
    if attempt.submitted_at is None or attempt.passed is None or attempt.score is None:
        return None
    if not lrs_in_use():
        return None
    score: dict = {"scaled": round(max(0.0, min(attempt.score / 100, 1.0)), 4)}
    if attempt.max_points and attempt.points is not None:
        score.update(
            raw=max(0.0, min(float(attempt.points), float(attempt.max_points))),
            min=0.0,
            max=float(attempt.max_points),
        )
    return LearningEvent(
        key=f"quiz:{attempt.pk}",
        event=Event.QUIZ_PASSED if attempt.passed else Event.QUIZ_FAILED,
        user=attempt.user,
        when=attempt.submitted_at,
        activity=step_activity(attempt.module_id, attempt.step_id, ActivityType.ASSESSMENT),
        parents=module_parents(attempt.module_id),
        score=score,
        success=bool(attempt.passed),
        completion=True,
    )


def page_completed(completion, *, created: bool, update_fields) -> LearningEvent | None:
    """lms.Completion: a module or a course completed (stored once, when it happens)."""
    if not created or not lrs_in_use():
        return None
    if completion.kind == "course":
        return LearningEvent(
            key=f"completion:{completion.pk}",
            event=Event.COURSE_COMPLETED,
            user=completion.user,
            when=completion.completed_at,
            activity=course_activity(completion.page_id, _title(completion.page_id)),
            completion=True,
        )
    parents = module_parents(completion.page_id)
    return LearningEvent(
        key=f"completion:{completion.pk}",
        event=Event.MODULE_COMPLETED,
        user=completion.user,
        when=completion.completed_at,
        activity=parents[0] if parents else module_activity(completion.page_id),
        parents=parents[1:],
        completion=True,
    )


def certificate_issued(certificate, *, created: bool, update_fields) -> LearningEvent | None:
    """certificates.Certificate: issued (one per completion). The verification code
    stays out: it would show the holder's name to whoever reads the LRS."""
    if not created or not lrs_in_use():
        return None
    target = (
        course_activity(certificate.page_id, certificate.course_title or certificate.title)
        if certificate.kind == "course"
        else module_activity(certificate.page_id, certificate.title)
    )
    return LearningEvent(
        key=f"certificate:{certificate.pk}",
        event=Event.CERTIFICATE_ISSUED,
        user=certificate.user,
        when=certificate.issued_at,
        activity=Activity(
            f"certificate/{certificate.kind}/{certificate.page_id}",
            ActivityType.CERTIFICATE,
            certificate.title,
        ),
        parents=(target,),
    )


def event_attended(attendance, *, created: bool, update_fields) -> LearningEvent | None:
    """events.Attendance: a person marked as attending a session (by the organiser, the
    check-in or the meeting report). A later "did not attend" sends nothing more."""
    if attendance.status != "attended" or not lrs_in_use():
        return None
    session = attendance.session
    event_title = _title(session.page_id)
    name = f"{event_title}: {session.title}" if session.title else event_title
    return LearningEvent(
        key=f"attendance:{attendance.pk}",
        event=Event.EVENT_ATTENDED,
        user=attendance.user,
        when=attendance.recorded_at,
        activity=Activity(
            f"event/{session.page_id}/session/{session.pk}", ActivityType.MEETING, name
        ),
        parents=(Activity(f"event/{session.page_id}", ActivityType.MEETING, event_title),),
        completion=True,
    )


def package_result(
    user,
    *,
    module_id: int,
    step_id: str,
    cycle: int,
    attempt: int,
    completed: bool,
    passed: bool | None,
    score_scaled: float | None,
    when: datetime,
) -> LearningEvent | None:
    """A package step's result (SCORM 1.2/2004, cmi5): passed or failed, else completed;
    None for no result yet. Its key names the outcome, so each outcome of an attempt is one
    statement (completed, then passed: two) and the same outcome again is none."""
    if passed is True:
        event = Event.PACKAGE_PASSED
    elif passed is False:
        event = Event.PACKAGE_FAILED
    elif completed:
        event = Event.PACKAGE_COMPLETED
    else:
        return None
    score = None
    if score_scaled is not None:
        score = {"scaled": round(max(-1.0, min(float(score_scaled), 1.0)), 4)}
    return LearningEvent(
        key=f"package:{module_id}:{step_id}:{cycle}:{attempt}:{event}",
        event=event,
        user=user,
        when=when,
        activity=step_activity(module_id, step_id, ActivityType.LESSON),
        parents=module_parents(module_id),
        score=score,
        success=passed,
        completion=bool(completed) or passed is not None or None,
    )


def _package_outcome(result) -> tuple[bool, bool | None] | None:
    """(completed, passed) of a package attempt or unit attempt, None when it has no result
    to send yet (neither completed nor passed or failed)."""
    success = result.success_status
    passed = True if success == "passed" else (False if success == "failed" else None)
    completed = result.completion_status == "completed"
    if passed is None and not completed:
        return None
    return completed, passed


def package_attempt_saved(attempt, *, created: bool, update_fields) -> LearningEvent | None:
    """packages.PackageAttempt: saved at each commit of the package's runtime (SCORM) or
    statement of its AU (cmi5), with the statuses read from it. One row per learner, step
    and cycle, so it is attempt 1 of its cycle; a commit that repeats the result finds its
    statement already in the outbox."""
    outcome = _package_outcome(attempt)
    if outcome is None or not lrs_in_use():
        return None
    completed, passed = outcome
    return package_result(
        attempt.user,
        module_id=attempt.module_id,
        step_id=attempt.step_id,
        cycle=attempt.cycle,
        attempt=1,
        completed=completed,
        passed=passed,
        score_scaled=None if attempt.score is None else attempt.score / 100,
        when=attempt.updated_at,
    )


def unit_attempt_saved(record, *, created: bool, update_fields) -> LearningEvent | None:
    """packages.UnitAttempt: one unit (SCO, asset, cmi5 AU) of a package with several
    (decision 0047), saved at each commit or statement of that unit. Its result is a
    statement of its own about the unit, under the step; each outcome of each unit once
    (the key names the unit and the outcome). A package of one unit has only the step's
    result (package_attempt_saved), as before."""
    import hashlib

    attempt = record.attempt
    package = attempt.package
    units = list(getattr(package, "units", None) or [])
    if len(units) < 2:
        return None
    unit = next((u for u in units if u.get("id") == record.unit_id), None)
    if unit is None:
        return None
    outcome = _package_outcome(record)
    if outcome is None or not lrs_in_use():
        return None
    completed, passed = outcome
    event = package_result(
        attempt.user,
        module_id=attempt.module_id,
        step_id=attempt.step_id,
        cycle=attempt.cycle,
        attempt=1,
        completed=completed,
        passed=passed,
        score_scaled=None if record.score is None else record.score / 100,
        when=record.updated_at,
    )
    if event is None:
        return None
    digest = hashlib.sha256(record.unit_id.encode()).hexdigest()[:16]
    step = step_activity(attempt.module_id, attempt.step_id, ActivityType.LESSON)
    return dataclasses.replace(
        event,
        key=f"{event.key}:unit:{digest}",
        activity=Activity(f"{step.path}/unit/{digest}", ActivityType.LESSON, unit.get("title", "")),
        parents=(step, *event.parents),
    )


@lru_cache(maxsize=1)
def sources() -> dict[str, tuple[str, object]]:
    """model label -> (the app that must be installed, the reader of its saves)."""
    return {
        "lms.StepProgress": ("wagtail_learning.lms", lecture_watched),
        "lms.QuizAttempt": ("wagtail_learning.lms", quiz_submitted),
        "lms.Completion": ("wagtail_learning.lms", page_completed),
        "certificates.Certificate": ("wagtail_learning.certificates", certificate_issued),
        "events.Attendance": ("wagtail_learning.events", event_attended),
        "packages.PackageAttempt": ("wagtail_learning.packages", package_attempt_saved),
        "packages.UnitAttempt": ("wagtail_learning.packages", unit_attempt_saved),
    }
