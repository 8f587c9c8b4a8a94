"""Assignments: a course required for an audience, creating enrolments with due dates, and
starting a new cycle when an assignment repeats (recertification). Who an assignment
covers and when a completion expires are compliance/policy.py's rules."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from lms.api import Enrolment, start_new_cycle
from org.api import LearnerProfile, Membership, OutOfScope, can_see_unit

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


def _enrol(assignment: Assignment, profile: LearnerProfile, today: date) -> bool:
    """Enrol one person for the assignment; True when an enrolment was created or taken over."""
    due_at = due_date_for(assignment, profile, start=today)
    try:
        with transaction.atomic():
            enrolment, created = Enrolment.objects.get_or_create(
                user_id=profile.user_id,
                course_id=assignment.course_id,
                defaults={
                    "source": Enrolment.Source.ASSIGNMENT,
                    "assignment": assignment,
                    "due_at": due_at,
                },
            )
    except IntegrityError:
        enrolment, created = (
            Enrolment.objects.get(user_id=profile.user_id, course_id=assignment.course_id),
            False,
        )
    if created:
        return True
    if enrolment.assignment_id is None or enrolment.status == Enrolment.Status.WITHDRAWN:
        # Self-enrolled before, or withdrawn: the assignment now governs it.
        enrolment.assignment = assignment
        enrolment.source = Enrolment.Source.ASSIGNMENT
        if enrolment.status == Enrolment.Status.WITHDRAWN:
            enrolment.status = Enrolment.Status.ACTIVE
        if enrolment.completed_at is None and enrolment.due_at is None:
            enrolment.due_at = due_at
        enrolment.save(update_fields=["assignment", "source", "status", "due_at"])
        return True
    return False


def apply_assignment(assignment: Assignment, *, today: date | None = None) -> int:
    """Create the enrolments an assignment calls for. Idempotent: people already enrolled
    keep their enrolment (and progress); returns how many were enrolled now."""
    if not assignment.active:
        return 0
    today = today or timezone.localdate()
    enrolled = 0
    for profile in audience_profiles([assignment], today=today).only(
        "user_id", "hire_date", "is_manager"
    ):
        enrolled += _enrol(assignment, profile, today)
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
    get the enrolments of every active assignment that now covers them."""
    today = today or timezone.localdate()
    user_ids = set(user_ids)
    if not user_ids:
        return 0
    units = Membership.objects.filter(user_id__in=user_ids).select_related("unit")
    paths = {m.unit.path for m in units}
    enrolled = 0
    for assignment in Assignment.objects.filter(active=True).select_related("unit"):
        if not any(path.startswith(assignment.unit.path) for path in paths):
            continue
        for profile in audience_profiles([assignment], today=today).filter(user_id__in=user_ids):
            enrolled += _enrol(assignment, profile, today)
    return enrolled


def renew_recurring_assignments(*, today: date | None = None) -> int:
    """Start a new cycle for people whose completion of a repeating assignment's course is
    older than its interval; the new cycle is due after the same allowance. Only people
    still in the assignment's audience (not leavers, not moved elsewhere) are renewed.
    Run daily. Returns how many cycles were started."""
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
            start_new_cycle(enrolment, due_at=due_at)
            started += 1
    return started
