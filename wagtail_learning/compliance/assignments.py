"""Assignments: a course required for an audience, creating enrolments with due dates, and
starting a new cycle when an assignment repeats (recertification). Who an assignment
covers and when a completion expires are compliance/policy.py's rules."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from wagtail_learning.lms.api import Enrolment, start_new_cycle
from wagtail_learning.org.api import LearnerProfile, Membership, OutOfScope, can_see_unit

from .models import Assignment
from .policy import audience_profiles, expiry_cutoff
from .sharing import check_may_assign

__all__ = [
    "apply_assignment",
    "create_assignment",
    "due_date_for",
    "renew_recurring_assignments",
    "sync_assignments_for_users",
]


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def due_date_for(assignment: Assignment, profile: LearnerProfile, *, start: date) -> datetime:
    """When the course is due for this person: a fixed date, or N days after `start` (the
    assignment or cycle) or after their hire date (never before `start`)."""
    if assignment.due_mode == Assignment.DueMode.FIXED and assignment.due_date:
        return _end_of_day(assignment.due_date)
    days = timedelta(days=assignment.due_days or 0)
    if assignment.due_mode == Assignment.DueMode.AFTER_HIRE and profile.hire_date:
        return _end_of_day(max(profile.hire_date, start) + days)
    return _end_of_day(start + days)


# People per batch: the IN (...) of a lookup stays below SQLite's old 999-variable limit.
BATCH = 900
# What deciding about an existing enrolment reads, and what taking it over writes.
_ENROLMENT_FIELDS = (
    "id",
    "user_id",
    "course_id",
    "assignment_id",
    "status",
    "due_at",
    "completed_at",
)
_TAKEOVER_FIELDS = ["assignment", "source", "status", "due_at"]


def _enrol_many(assignment: Assignment, profiles, today: date, existing: dict) -> int:
    """Enrol `profiles` (at most BATCH) for the assignment in a fixed number of queries:
    create the enrolments they lack in one INSERT, take over in one UPDATE those that were
    self-enrolled or withdrawn (the assignment now governs them). `existing` maps (user id,
    course id) to the enrolments already read (or created by an earlier assignment in the
    same call) and is kept up to date. Returns how many were created or taken over.

    Someone enrolling by themselves between the read and the INSERT keeps their own
    enrolment (the INSERT skips the conflict); the next sync takes it over."""
    course_id = assignment.course_id
    new: list[Enrolment] = []
    taken_over: list[Enrolment] = []
    for profile in profiles:
        key = (profile.user_id, course_id)
        enrolment = existing.get(key)
        due_at = due_date_for(assignment, profile, start=today)
        if enrolment is None:
            enrolment = Enrolment(
                user_id=profile.user_id,
                course_id=course_id,
                source=Enrolment.Source.ASSIGNMENT,
                assignment=assignment,
                due_at=due_at,
            )
            existing[key] = enrolment
            new.append(enrolment)
        elif enrolment.assignment_id is None or enrolment.status == Enrolment.Status.WITHDRAWN:
            # Self-enrolled before, or withdrawn: the assignment now governs it.
            enrolment.assignment = assignment
            enrolment.source = Enrolment.Source.ASSIGNMENT
            if enrolment.status == Enrolment.Status.WITHDRAWN:
                enrolment.status = Enrolment.Status.ACTIVE
            if enrolment.completed_at is None and enrolment.due_at is None:
                enrolment.due_at = due_at
            taken_over.append(enrolment)
    if new:
        Enrolment.objects.bulk_create(new, ignore_conflicts=True)
    if taken_over:
        Enrolment.objects.bulk_update(taken_over, _TAKEOVER_FIELDS)
    return len(new) + len(taken_over)


def _existing_enrolments(user_ids, course_ids) -> dict:
    found = Enrolment.objects.filter(user_id__in=user_ids, course_id__in=course_ids).only(
        *_ENROLMENT_FIELDS
    )
    return {(e.user_id, e.course_id): e for e in found}


def _batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def apply_assignment(assignment: Assignment, *, today: date | None = None) -> int:
    """Create the enrolments an assignment calls for. Idempotent: people already enrolled
    keep their enrolment (and progress); returns how many were enrolled now. Works in
    batches of BATCH people (a few queries each), so a region-wide assignment costs no
    query per person."""
    if not assignment.active:
        return 0
    today = today or timezone.localdate()
    enrolled = 0
    profiles = audience_profiles([assignment], today=today).only(
        "user_id", "hire_date", "is_manager"
    )
    last = 0
    while batch := list(profiles.filter(pk__gt=last).order_by("pk")[:BATCH]):
        last = batch[-1].pk
        existing = _existing_enrolments([p.user_id for p in batch], [assignment.course_id])
        enrolled += _enrol_many(assignment, batch, today, existing)
    return enrolled


def create_assignment(
    *, user, course_id: int, unit, today: date | None = None, **terms
) -> Assignment:
    """Assign a course to `unit` (and everything below it) for `user`, a coordinator, and
    enrol the people it covers. Raises OutOfScope (org.api) when the unit is outside the
    user's reporting scope, NotParticipating when the unit's organisation does not take
    part in the course (decision 0020), ValidationError for inconsistent terms. Atomic."""
    if not (user.is_superuser or can_see_unit(user, unit)):
        raise OutOfScope("This unit is outside your organisation.")
    check_may_assign(course_id, unit)
    assignment = Assignment(course_id=course_id, unit=unit, created_by=user, **terms)
    assignment.full_clean()
    with transaction.atomic():
        assignment.save()
        apply_assignment(assignment, today=today)
    return assignment


def sync_assignments_for_users(user_ids, *, today: date | None = None) -> int:
    """New people, or people who moved or became managers (an import, a profile change),
    get the enrolments of every active assignment that now covers them. In batches of
    BATCH people: per batch, one query for their units, one for the assignments, one for
    their enrolments in those courses, and per assignment that reaches them one for its
    audience among them and at most one INSERT and one UPDATE."""
    today = today or timezone.localdate()
    user_ids = sorted(set(user_ids))
    enrolled = 0
    for batch in _batches(user_ids, BATCH):
        paths = set(
            Membership.objects.filter(user_id__in=batch).values_list("unit__path", flat=True)
        )
        assignments = [
            assignment
            for assignment in Assignment.objects.filter(active=True)
            .select_related("unit")
            .order_by("pk")
            if any(path.startswith(assignment.unit.path) for path in paths)
        ]
        if not assignments:
            continue
        existing = _existing_enrolments(batch, {a.course_id for a in assignments})
        for assignment in assignments:
            profiles = (
                audience_profiles([assignment], today=today)
                .filter(user_id__in=batch)
                .only("user_id", "hire_date", "is_manager")
                .order_by("pk")
            )
            enrolled += _enrol_many(assignment, profiles, today, existing)
    return enrolled


def renew_recurring_assignments(*, today: date | None = None) -> int:
    """Start a new cycle for people whose completion of a repeating assignment's course is
    older than its interval; the new cycle is due after the same allowance. Only people
    still in the assignment's audience (not leavers, not moved elsewhere) are renewed.
    Run daily; safe to run twice, also at once. Returns how many cycles were started."""
    today = today or timezone.localdate()
    started = 0
    recurring = Assignment.objects.filter(active=True, recurrence_months__isnull=False)
    for assignment in recurring.select_related("unit"):
        # Renewed when the completion has expired by the end of today.
        cutoff = expiry_cutoff(assignment.recurrence_months, _end_of_day(today))
        completed = Enrolment.objects.filter(
            assignment=assignment,
            status=Enrolment.Status.COMPLETED,
            completed_at__lte=cutoff,
            user__in=audience_profiles([assignment], today=today).values("user"),
        ).select_related("user__learner_profile")
        for enrolment in completed:
            profile = getattr(enrolment.user, "learner_profile", None)
            if profile is None:
                continue
            due_at = due_date_for(assignment, profile, start=today)
            # Claimed by the cycle read: a second run at the same moment starts none.
            if start_new_cycle(enrolment, due_at=due_at, from_cycle=enrolment.cycle):
                started += 1
    return started
