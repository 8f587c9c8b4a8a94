"""Reminders by email: to learners before a course is due and once it is overdue, and a weekly
digest to each manager of the overdue people in their units.

Each reminder is recorded (`Reminder`, unique per person, enrolment, kind and key) *before*
the email goes out, so a job that runs twice (django-q2 delivers at least once) or two
workers at once send it once. A send that fails removes its record, so the next run tries
again. A worker killed between recording and sending loses that one reminder: the price of
never sending one twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_learning import defaults
from wagtail_learning.lms.api import Enrolment, public_url
from wagtail_learning.org.api import LearnerProfile, Membership

from .models import Reminder
from .policy import not_left_q, overdue_q

logger = logging.getLogger(__name__)

__all__ = ["iso_week", "send_due_reminders", "send_manager_digests"]


def _course_url(page) -> str:
    parts = page.get_url_parts()
    return public_url(parts[2]) if parts else ""


def iso_week(day: date) -> str:
    """The ISO week of a date as the digest key, e.g. "2026-W47"."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _present(prefix: str, today: date) -> Q:
    """People (through `prefix`, a path to a user) who have not left: no profile (not
    from the HR system), or a profile that has not left."""
    profile = f"{prefix}learner_profile__"
    return Q(**{f"{profile}isnull": True}) | not_left_q(today, prefix=profile)


def _open_enrolments(today: date) -> QuerySet[Enrolment]:
    """Active, unfinished enrolments with a due date in a published course, of active
    people who have not left."""
    return Enrolment.objects.filter(
        _present("user__", today),
        status=Enrolment.Status.ACTIVE,
        completed_at__isnull=True,
        due_at__isnull=False,
        user__is_active=True,
        course__live=True,
    )


def _reminded(kind: str) -> Exists:
    """The enrolment already has a reminder of this kind in its current cycle."""
    return Exists(
        Reminder.objects.filter(
            enrolment=OuterRef("pk"),
            kind=kind,
            key=Cast(OuterRef("cycle"), output_field=CharField()),
        )
    )


def _send_once(
    *,
    user,
    enrolment: Enrolment | None,
    kind: str,
    key: str,
    now: datetime,
    build: Callable[[], EmailMessage],
) -> bool | None:
    """Record the reminder, then build and send its email. True when sent now, None when it
    was sent before (or is being sent by another worker), False when sending failed (the
    record is undone so that the next run tries again)."""
    try:
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                user=user, enrolment=enrolment, kind=kind, key=key, defaults={"sent_at": now}
            )
    except IntegrityError:
        return None
    if not created:
        return None
    try:
        build().send()
    except Exception:
        Reminder.objects.filter(pk=reminder.pk).delete()
        logger.exception("Could not send the %s reminder %s to user %s", kind, key, user.pk)
        return False
    return True


def _tally(counts: dict[str, int], kind: str, sent: bool | None) -> None:
    if sent:
        counts[kind] += 1
    elif sent is False:
        counts["failed"] += 1


def send_due_reminders(now: datetime | None = None) -> dict[str, int]:
    """Email each learner whose course is due within LMS_REMINDER_DAYS_BEFORE days (default
    7) a "due soon" reminder, and one whose course is past due an "overdue" one; each once
    per enrolment cycle. Nobody is reminded of a completed or withdrawn enrolment, an
    unpublished course, or after leaving; inactive accounts and people without an email
    address are skipped. Safe to run again at any time (see the module docstring).

    Returns counts: {"due_soon": n, "overdue": n, "failed": n}.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = now + timedelta(days=defaults.value("LMS_REMINDER_DAYS_BEFORE"))
    base = _open_enrolments(today).exclude(user__email="")
    batches = [
        (Reminder.Kind.DUE_SOON, base.filter(due_at__gte=now, due_at__lte=horizon)),
        (Reminder.Kind.OVERDUE, base.filter(overdue_q(now))),
    ]
    counts = {Reminder.Kind.DUE_SOON.value: 0, Reminder.Kind.OVERDUE.value: 0, "failed": 0}
    with get_connection() as connection:
        for kind, enrolments in batches:
            # Skip in the query what was sent before, so a daily run over people overdue
            # for months stays cheap; the unique constraint still decides.
            pending = enrolments.exclude(_reminded(kind)).select_related("user", "course")
            for enrolment in pending.order_by("due_at", "pk"):
                sent = _send_once(
                    user=enrolment.user,
                    enrolment=enrolment,
                    kind=kind,
                    key=str(enrolment.cycle),
                    now=now,
                    build=partial(
                        _learner_message,
                        enrolment,
                        overdue=kind == Reminder.Kind.OVERDUE,
                        connection=connection,
                    ),
                )
                _tally(counts, kind.value, sent)
    if any(counts.values()):
        logger.info("Due-date reminders: %s", counts)
    return counts


def _name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def _learner_message(enrolment: Enrolment, *, overdue: bool, connection) -> EmailMessage:
    course = enrolment.course
    context = {
        "name": _name(enrolment.user),
        "course_title": course.title,
        "course_url": _course_url(course),
        "due_at": enrolment.due_at,
    }
    if overdue:
        subject = _("Overdue: %(title)s") % {"title": course.title}
        body = render_to_string("compliance/email/reminder_overdue.txt", context)
    else:
        subject = _("Due soon: %(title)s") % {"title": course.title}
        body = render_to_string("compliance/email/reminder_due_soon.txt", context)
    return EmailMessage(subject, body, None, [enrolment.user.email], connection=connection)


@dataclass(frozen=True)
class OverdueLine:
    name: str
    course_title: str
    course_url: str
    due_at: datetime


def _overdue_for_manager(profile: LearnerProfile, *, now: datetime, today: date) -> list[Enrolment]:
    """The overdue enrolments of people in the manager's units and the units below them,
    the manager's own excepted (they get their own reminder). One query."""
    paths = list(
        Membership.objects.filter(user_id=profile.user_id).values_list("unit__path", flat=True)
    )
    if not paths:
        return []
    in_units = Q()
    for path in paths:
        in_units |= Q(unit__path__startswith=path)
    people = Membership.objects.filter(in_units).values("user_id")
    return list(
        _open_enrolments(today)
        .filter(overdue_q(now), user_id__in=people)
        .exclude(user_id=profile.user_id)
        .select_related("user", "course")
        .order_by("due_at", "user__last_name", "user__first_name", "pk")
    )


def _digest_message(manager, overdue: list[Enrolment], week: str, connection) -> EmailMessage:
    lines = [
        OverdueLine(_name(e.user), e.course.title, _course_url(e.course), e.due_at) for e in overdue
    ]
    context = {"name": _name(manager), "lines": lines, "week": week}
    return EmailMessage(
        _("Overdue training in your units (%(week)s)") % {"week": week},
        render_to_string("compliance/email/manager_digest.txt", context),
        None,
        [manager.email],
        connection=connection,
    )


def send_manager_digests(now: datetime | None = None) -> dict[str, int]:
    """Email each manager (a present, active profile marked manager, with an email address)
    the people in their units, and the units below, whose courses are overdue: one email a
    week (ISO week), listing person, course and due date, with links to the courses. No
    email when nobody is overdue. Safe to run again at any time.

    Returns counts: {"manager_digest": n, "failed": n}.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    week = iso_week(today)
    already = Reminder.objects.filter(
        user_id=OuterRef("user_id"), kind=Reminder.Kind.MANAGER_DIGEST, key=week
    )
    managers = (
        LearnerProfile.objects.filter(_present("user__", today))
        .filter(is_manager=True, user__is_active=True)
        .exclude(user__email="")
        .exclude(Exists(already))
        .select_related("user")
        .order_by("pk")
    )
    counts = {Reminder.Kind.MANAGER_DIGEST.value: 0, "failed": 0}
    with get_connection() as connection:
        for profile in managers:
            overdue = _overdue_for_manager(profile, now=now, today=today)
            if not overdue:
                continue
            sent = _send_once(
                user=profile.user,
                enrolment=None,
                kind=Reminder.Kind.MANAGER_DIGEST,
                key=week,
                now=now,
                build=partial(_digest_message, profile.user, overdue, week, connection),
            )
            _tally(counts, Reminder.Kind.MANAGER_DIGEST.value, sent)
    if any(counts.values()):
        logger.info("Manager digests %s: %s", week, counts)
    return counts
