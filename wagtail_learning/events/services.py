"""The rules of events: registering, the waitlist, cancelling, attendance, check-in.

Every write is one transaction. Seats are decided under a row lock on the event, so two
people can never take one seat: a registration and a cancellation of the same event run
one after the other (on PostgreSQL `SELECT ... FOR UPDATE`; SQLite serialises writers).
Messages are sent after the transaction commits; the message about a place given (a seat
with its calendar invitation, a place in line) by the task queue.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_learning.accounts import api as accounts

from .access import has_seat, is_organising_coordinator, meeting_link_for, visible_registrations
from .calendar import Entry
from .errors import (
    AttendanceNotOpen,
    CancellationClosed,
    InvalidInput,
    NotInAudience,
    NotOrganiser,
    NotRegistered,
    RegistrationClosed,
)
from .models import (
    Attendance,
    EventPage,
    EventQuota,
    EventSession,
    Invitation,
    Registration,
    RegistrationEntry,
    SessionCancellation,
    SessionNotice,
)
from .notify import send_event_message

Status = Registration.Status
Action = RegistrationEntry.Action

# Check-in opens this long before the start and closes at the end.
CHECK_IN_OPENS = timedelta(minutes=30)
# Reminders go out this long before a session.
REMINDER_AHEAD = timedelta(hours=24)


# --- Reading ---------------------------------------------------------------------------


def list_events(*, parent=None, within=None, now: datetime | None = None) -> list[EventPage]:
    """Live, public events (children of `parent`, or anywhere below `within`), soonest
    first; past events last."""
    now = now or timezone.now()
    pages = EventPage.objects.live().public()
    if parent is not None:
        pages = pages.child_of(parent)
    if within is not None:
        pages = pages.descendant_of(within)
    pages = list(pages.prefetch_related("sessions"))

    def key(page):
        starts = sorted(s.start for s in page.sessions.all())
        upcoming = [start for start in starts if start >= now]
        if upcoming:
            return (0, upcoming[0].timestamp())  # the soonest first
        # Then the latest past; an event without sessions after them all.
        return (1, -starts[-1].timestamp() if starts else math.inf)

    return sorted(pages, key=key)


def active_sessions(event: EventPage) -> list[EventSession]:
    """The event's sessions that the organiser has not cancelled, in order."""
    return list(
        EventSession.objects.filter(page_id=event.pk, cancellation__isnull=True).order_by(
            "sort_order", "start"
        )
    )


def session_by_number(event: EventPage, number: int) -> EventSession | None:
    """The event's `number`th session (1-based, in editor order), or None."""
    sessions = list(EventSession.objects.filter(page_id=event.pk).order_by("sort_order", "start"))
    return sessions[number - 1] if 1 <= number <= len(sessions) else None


def organisation_of(user):
    """The person's top-level organisation (their municipality, association, ...)."""
    # Read fresh: adding an organisation renumbers the tree's paths, so a unit held in
    # memory could name the wrong top.
    from wagtail_learning.org.api import LearnerProfile

    profile = LearnerProfile.objects.filter(user_id=user.pk).select_related("unit").first()
    if profile is None or profile.unit is None:
        return None
    return profile.unit.get_root()


def is_external(user) -> bool:
    profile = getattr(user, "learner_profile", None)
    return profile is not None and profile.kind == "external"


def check_audience(user, event: EventPage) -> None:
    """Raises NotInAudience when the event is not open to `user`."""
    if user.is_superuser:
        return
    if is_external(user) and not event.audience_external:
        raise NotInAudience(_("This event is open to staff only, not to external participants."))
    if not is_external(user) and not event.audience_staff:
        raise NotInAudience(_("This event is open to external participants only."))
    allowed = list(event.audience_organisations.all())
    if allowed:
        mine = organisation_of(user)
        if mine is None or mine.pk not in {o.pk for o in allowed}:
            names = ", ".join(o.name for o in allowed)
            raise NotInAudience(
                _("This event is open to people of %(names)s only.") % {"names": names}
            )


def registration_open(event: EventPage, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if event.registration_deadline and now > event.registration_deadline:
        return False
    return any(s.start > now for s in active_sessions(event))


def has_taken_place(sessions: list[EventSession], now: datetime | None = None) -> bool:
    """Every session of the event that was not cancelled has ended (and there was one):
    the event is a record now, with no seats to count and no registration to close.
    `sessions`: all the event's sessions, their cancellations loaded."""
    now = now or timezone.now()
    held = [s for s in sessions if not hasattr(s, "cancellation")]
    return bool(held) and all(s.end <= now for s in held)


def cancellation_deadline(event: EventPage) -> datetime | None:
    """Until when a participant may cancel: the cut-off before the first active session."""
    sessions = active_sessions(event)
    if not sessions:
        return None
    first = min(s.start for s in sessions)
    return first - timedelta(hours=event.cancellation_cutoff_hours)


def recording_of(session: EventSession, now: datetime | None = None):
    """The recording (a Lecture) of `session` once the session is over, else None: the one
    rule of when a session's recording may be watched, on the event page, in the recording
    mail and in a course's live-session step."""
    now = now or timezone.now()
    if session.recording_id is None or session.end > now:
        return None
    return session.recording


def may_watch_recordings(user, event: EventPage) -> bool:
    """Whether `user` may watch the event's recordings on the event page: those who hold a
    seat (registered), those who attended a session, and superusers; not those in line,
    nor anyone else (a course's live-session step plays it to its learners)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or has_seat(user, event):
        return True
    return Attendance.objects.filter(
        session__page_id=event.pk, user_id=user.pk, status=Attendance.Status.ATTENDED
    ).exists()


def recording_url(event: EventPage, session: EventSession) -> str:
    """The event page's address for the session's recording (a path)."""
    return event.url + event.reverse_subpage("recording", args=[session.pk])


def get_registration(user, event: EventPage) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event_id=event.pk, user_id=user.pk).first()


@dataclass(frozen=True)
class SeatCount:
    seats: int | None
    registered: int
    waitlisted: int

    @property
    def left(self) -> int | None:
        return None if self.seats is None else max(self.seats - self.registered, 0)


def count_seats(event: EventPage) -> SeatCount:
    counts = Registration.objects.filter(event_id=event.pk).aggregate(
        registered=Count("pk", filter=Q(status=Status.REGISTERED)),
        waitlisted=Count("pk", filter=Q(status=Status.WAITLISTED)),
    )
    return SeatCount(event.seats, counts["registered"], counts["waitlisted"])


def own_cancellation_deadline(registration: Registration | None, event: EventPage):
    """Until when the holder of `registration` may cancel it themselves: a seat until the
    cut-off (`cancellation_deadline`); a place in line at any time (None), as leaving
    it frees no seat the organiser plans for (docs/events.md)."""
    if registration is None or registration.status != Status.REGISTERED:
        return None
    return cancellation_deadline(event)


@dataclass(frozen=True)
class Prospect:
    """What registering would do for a person, said before they click."""

    refusal: str = ""  # the event is not for them (`check_audience`'s reason)
    waitlisted: bool = False  # registering puts them in line
    quota_full: bool = False  # in line because their organisation's seats are taken


def registration_prospect(user, event: EventPage) -> Prospect:
    """What `register` would do for `user` now, by the same rules (the audience, the seats,
    their organisation's quota) and the same count (`_standing`, `_seat_for`), read
    without the lock: the page's promise, the lock's decision. The seats and the quota are
    the page's own (in a preview, the editor's). Nobody signed in is promised nothing."""
    if not user.is_authenticated:
        return Prospect()
    try:
        check_audience(user, event)
    except NotInAudience as error:
        return Prospect(refusal=error.message)
    organisation = organisation_of(user)
    quota = None
    if organisation is not None:
        row = event.quotas.filter(organisation_id=organisation.pk).first()
        quota = row.seats if row is not None else None
    overall, seat = _seat_for(event.seats, quota, _standing(event, user, organisation))
    return Prospect(waitlisted=not seat, quota_full=overall and not seat)


def waitlist_positions(event: EventPage) -> dict[int, int]:
    """Every place in the event's line: registration id -> position (1 first), in the
    order promotion follows (queued_at, then id). One query."""
    line = (
        Registration.objects.filter(event_id=event.pk, status=Status.WAITLISTED)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)
    )
    return {pk: number for number, pk in enumerate(line, start=1)}


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != Status.WAITLISTED:
        return None
    return (
        Registration.objects.filter(event_id=registration.event_id, status=Status.WAITLISTED)
        .filter(
            Q(queued_at__lt=registration.queued_at)
            | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


# --- Seats -----------------------------------------------------------------------------


def _lock_event(event: EventPage) -> None:
    """Take the event's row lock for the rest of the transaction."""
    list(
        EventPage.objects.select_for_update(of=("self",))
        .filter(pk=event.pk)
        .values_list("pk", flat=True)
    )


def _lock_seats(event: EventPage, organisation) -> tuple[int | None, int | None]:
    """Take the event's row lock for the rest of the transaction, reading with it the
    seats and the organisation's quota as stored (None: no limit). One statement."""
    rows = EventPage.objects.select_for_update(of=("self",)).filter(pk=event.pk)
    if organisation is not None:
        quota = EventQuota.objects.filter(page_id=OuterRef("pk"), organisation_id=organisation.pk)
        rows = rows.annotate(quota=Subquery(quota.values("seats")[:1]))
    else:
        rows = rows.annotate(quota=Value(None, output_field=IntegerField()))
    return rows.values_list("seats", "quota").get()


@dataclass(frozen=True)
class _Standing:
    """The event's registrations as one person's registering sees them."""

    registered: int  # seats taken
    in_quota: int  # of them, by the person's organisation (or by no organisation)
    waiting: int  # places in line
    mine: int | None  # the person's own registration (any status), if any
    mine_status: str | None


def _standing(event: EventPage, user, organisation) -> _Standing:
    """Count the seats taken, overall and by `organisation`, the line, and find `user`'s
    own registration. Read-only, one statement: under the lock it is `register`'s
    decision, without it the page's forecast (`registration_prospect`)."""
    mine = Q(user_id=user.pk)
    registered = Q(status=Status.REGISTERED)
    in_quota = registered & Q(organisation_id=organisation.pk if organisation else None)
    counts = Registration.objects.filter(event_id=event.pk).aggregate(
        registered=Count("pk", filter=registered),
        in_quota=Count("pk", filter=in_quota),
        waiting=Count("pk", filter=Q(status=Status.WAITLISTED)),
        mine=Max("pk", filter=mine),
        mine_status=Max("status", filter=mine),
    )
    return _Standing(**counts)


def _seat_for(seats: int | None, quota: int | None, standing: _Standing) -> tuple[bool, bool]:
    """(a seat is free overall, a seat is free for the person within their quota)."""
    overall = seats is None or standing.registered < seats
    return overall, overall and (quota is None or standing.in_quota < quota)


def _seat_free(event: EventPage, organisation) -> bool:
    """Under the lock: is there a seat, overall and within the organisation's quota?"""
    registered = Registration.objects.filter(event_id=event.pk, status=Status.REGISTERED)
    if event.seats is not None and registered.count() >= event.seats:
        return False
    if organisation is not None:
        quota = event.quotas.filter(organisation_id=organisation.pk).first()
        if quota is not None and registered.filter(organisation_id=organisation.pk).count() >= (
            quota.seats
        ):
            return False
    return True


def _log(registration, action, *, by=None, session=None, note: str = "") -> None:
    RegistrationEntry.objects.create(
        registration=registration, action=action, by=by, session=session, note=note[:300]
    )


def _fingerprint(event: EventPage, session: EventSession) -> str:
    """What an invitation says that can change: time, place, link."""
    text = "|".join(
        [session.start.isoformat(), session.end.isoformat(), session.time_zone, session.title,
         event.title, event.venue, event.format, event.meeting_url]
    )  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def _invitation_entries(
    user, event, sessions, *, cancel: bool, link: str | None = None
) -> list[Entry]:
    """Advance the person's invitation for each session (SEQUENCE 0 for the first message,
    one more for each after) and return what to send. Under the caller's transaction.
    `link`: the meeting link the person may see, when the caller has asked already."""
    if link is None:
        link = "" if cancel else meeting_link_for(user, event)
    entries = []
    for session in sessions:
        invitation = (
            Invitation.objects.select_for_update().filter(session=session, user=user).first()
        )
        if invitation is None:
            if cancel:
                continue  # never invited: nothing in their calendar to remove
            invitation = Invitation.objects.create(
                session=session, user=user, sequence=0, fingerprint=_fingerprint(event, session)
            )
        else:
            if cancel and invitation.cancelled:
                continue
            invitation.sequence += 1
            invitation.cancelled = cancel
            invitation.fingerprint = _fingerprint(event, session)
            invitation.save(update_fields=["sequence", "cancelled", "fingerprint", "sent_at"])
        entries.append(Entry(session, event, user, invitation.sequence, link, cancel))
    return entries


def _after_commit(**kwargs) -> None:
    transaction.on_commit(lambda: send_event_message(**kwargs))


def _message_after_commit(registration: Registration, kind: str) -> None:
    """The person now holds a seat (`kind` "registered" or "promoted") or a place in line
    ("waitlisted"): once that is committed, the task queue sends the message about it
    (`send_registration_message`), with the calendar invitation for a seat. Nothing of it
    is decided under the event's lock, nor rendered in the request."""
    pk = registration.pk

    def enqueue():
        from django_q.tasks import async_task

        async_task(
            "wagtail_learning.events.tasks.send_registration_message_task",
            pk,
            kind,
            task_name=f"event-registration-{pk}-{kind}-{timezone.now():%Y%m%d%H%M%S%f}",
            group="events",
        )

    transaction.on_commit(enqueue)


# The place each message is about: a message whose place is gone (cancelled, or promoted
# from the line before the line's message went) is not sent.
_MESSAGE_STATUS = {
    "registered": Status.REGISTERED,
    "promoted": Status.REGISTERED,
    "waitlisted": Status.WAITLISTED,
}


def send_registration_message(registration_id: int, kind: str) -> bool:
    """The task queue's half of registering: the mail about the person's place, and for a
    seat their calendar invitations for the sessions still ahead. Sent once per place
    given: the place is claimed (`Registration.mailed_at`) in a short transaction under the
    lock of the registration's row only (not the event's), so a cancellation (which
    updates that row under the event's lock) either comes first, and then nothing is sent,
    or waits, and then finds the invitations to withdraw. A second run finds the claim and
    sends nothing; a failed send gives the claim back and fails the task, which the broker
    delivers again. Returns whether a message was sent."""
    status = _MESSAGE_STATUS[kind]
    claimed_at = timezone.now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("user", "event")
            .filter(pk=registration_id, status=status, mailed_at__isnull=True)
            .first()
        )
        if registration is None:
            return False  # sent already, or the place is gone
        Registration.objects.filter(pk=registration.pk).update(mailed_at=claimed_at)
        user, event = registration.user, registration.event
        entries, link = [], ""
        if status == Status.REGISTERED:
            now = timezone.now()
            sessions = [s for s in active_sessions(event) if s.end > now]
            link = meeting_link_for(user, event)
            entries = _invitation_entries(user, event, sessions, cancel=False, link=link)
    try:
        send_event_message(
            user=user, event=event, kind=kind, entries=entries,
            method="REQUEST" if entries else None, meeting_link=link,
        )  # fmt: skip
    except Exception:
        Registration.objects.filter(pk=registration.pk, mailed_at=claimed_at).update(
            mailed_at=None
        )
        raise
    return True


def _promote(event: EventPage, *, by=None) -> list[Registration]:
    """Under the lock: give free seats to the first in line whose organisation still has
    room in its quota, while a session of the event is still to be held (not cancelled,
    not over): once the event has taken place, a seat freed or added is no one's, and
    those in line stay there."""
    now = timezone.now()
    if not any(session.end > now for session in active_sessions(event)):
        return []
    promoted = []
    line = Registration.objects.filter(event_id=event.pk, status=Status.WAITLISTED).order_by(
        "queued_at", "pk"
    )
    for registration in line.select_related("user", "organisation"):
        if not _seat_free(event, None):
            break  # no seat left at all (with no limit there always is one)
        if not _seat_free(event, registration.organisation):
            continue
        registration.status, registration.mailed_at = Status.REGISTERED, None
        registration.save(update_fields=["status", "mailed_at", "updated_at"])
        _log(registration, Action.PROMOTED, by=by)
        _message_after_commit(registration, "promoted")
        promoted.append(registration)
    return promoted


def fill_free_seats(event: EventPage, *, by=None) -> list[Registration]:
    """Give the seats that are free to the line, strictly in its order (each promoted
    person gets the mail and the calendar invitation). Called whenever capacity may have
    grown: the event published with more seats or a larger quota. Atomic; safe to repeat.
    Returns who was promoted."""
    with transaction.atomic():
        _lock_event(event)
        # The seats and quotas as stored, read under the lock (a page from a revision
        # holds its quotas in memory).
        current = EventPage.objects.get(pk=event.pk)
        return _promote(current, by=by)


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    created: bool  # False: they were registered or in line already
    quota_full: bool = False  # wait-listed because their organisation's seats are taken


def register(
    user, *, event: EventPage, answers: dict | None = None, now: datetime | None = None
) -> RegistrationResult:
    """Register `user` for `event`: a seat if one is free (overall and within their
    organisation's quota), else the waitlist. Atomic; safe to repeat.

    Raises NotInAudience, RegistrationClosed, InvalidInput."""
    now = now or timezone.now()
    check_audience(user, event)
    if not registration_open(event, now):
        if event.registration_deadline and now > event.registration_deadline:
            raise RegistrationClosed(
                _("Registration closed on %(date)s.")
                % {
                    "date": timezone.localtime(event.registration_deadline).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                }
            )
        raise RegistrationClosed(_("This event has no sessions left to register for."))
    answers = dict(answers or {})
    for question in event.questions.all():
        key = str(question.key)
        value = str(answers.get(key, "")).strip()[:1000]
        if question.required and not value:
            raise InvalidInput(_("Please answer: %(q)s") % {"q": question.label})
        answers[key] = value
    organisation = organisation_of(user)
    # Under the lock only what decides the place: the lock (with the seats and the quota),
    # one count of the seats and of the person's own place, the registration and its
    # history entry (the record of who got the seat stays atomic with the seat). The
    # invitations and the mail follow the commit, from the task queue
    # (`_message_after_commit`).
    with transaction.atomic():
        seats, quota = _lock_seats(event, organisation)
        queued_at = timezone.now()  # under the lock: the line is the order the lock was granted
        standing = _standing(event, user, organisation)
        if standing.mine is not None and standing.mine_status != Status.CANCELLED:
            registration = Registration.objects.get(pk=standing.mine)
            return RegistrationResult(registration, created=False)
        overall, seat = _seat_for(seats, quota, standing)
        if seat and standing.waiting:
            # Those in line come first: a seat free while people wait (capacity grew
            # without anyone promoting) is theirs, not the newcomer's.
            current = EventPage.objects.get(pk=event.pk)
            if _promote(current):
                seat = _seat_free(current, organisation)
                overall = _seat_free(current, None)
        quota_full = not seat and overall
        status = Status.REGISTERED if seat else Status.WAITLISTED
        if standing.mine is None:
            registration = Registration(
                event=event, user=user, organisation=organisation, status=status,
                answers=answers, queued_at=queued_at,
            )  # fmt: skip
            registration.save(force_insert=True)
        else:  # registering again after cancelling: to the back of the line
            registration = Registration.objects.get(pk=standing.mine)
            registration.status, registration.answers = status, answers
            registration.organisation, registration.queued_at = organisation, queued_at
            registration.mailed_at = None
            registration.save()
        _log(registration, Action.REGISTERED if seat else Action.WAITLISTED, by=user)
        _message_after_commit(registration, "registered" if seat else "waitlisted")
    return RegistrationResult(registration, created=True, quota_full=quota_full)


def cancel_registration(
    user, *, event: EventPage, by=None, now: datetime | None = None
) -> list[Registration]:
    """Cancel `user`'s registration (by themselves until the cut-off, or by an organiser,
    `by`, at any time). A freed seat goes to the first in line. Returns who was promoted.

    Raises NotRegistered, CancellationClosed."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_event(event)
        registration = (
            Registration.objects.filter(event_id=event.pk, user_id=user.pk)
            .exclude(status=Status.CANCELLED)
            .first()
        )
        if registration is None:
            raise NotRegistered(_("You are not registered for this event."))
        if by is None:
            deadline = own_cancellation_deadline(registration, event)
            if deadline is not None and now > deadline:
                raise CancellationClosed(
                    _(
                        "Cancelling online closed %(hours)s hours before the start. "
                        "Contact the organiser."
                    )
                    % {"hours": event.cancellation_cutoff_hours}
                )
        had_seat = registration.status == Status.REGISTERED
        registration.status = Status.CANCELLED
        registration.save(update_fields=["status", "updated_at"])
        _log(registration, Action.CANCELLED, by=by or user)
        entries = _invitation_entries(user, event, active_sessions(event), cancel=True)
        _after_commit(user=user, event=event, kind="cancelled", entries=entries, method="CANCEL")
        return _promote(event, by=by) if had_seat else []


def release_places(user, *, note: str = "", now: datetime | None = None) -> int:
    """`user` gives up every place they hold in line, and every seat at an event that has
    not taken place (someone who left, and is anonymised): the freed seats go to the first
    in line. No message goes to `user`. Seats at events that took place stay, as records.
    Returns how many places were given up."""
    released = 0
    held = (
        Registration.objects.filter(user_id=user.pk)
        .exclude(status=Status.CANCELLED)
        .select_related("event")
        .order_by("pk")
    )
    for registration in held:
        event = registration.event
        with transaction.atomic():
            _lock_event(event)
            registration.refresh_from_db(fields=["status"])
            if registration.status == Status.CANCELLED:
                continue
            had_seat = registration.status == Status.REGISTERED
            if had_seat and has_taken_place(
                list(event.sessions.select_related("cancellation")), now
            ):
                continue
            registration.status = Status.CANCELLED
            registration.save(update_fields=["status", "updated_at"])
            _log(registration, Action.CANCELLED, note=note)
            if had_seat:
                _promote(event)
            released += 1
    return released


def cancel_session(session: EventSession, *, by) -> int:
    """The organiser cancels one session: everyone registered or in line is told, and the
    calendar entries of those invited are removed. Returns how many were told.

    Raises NotOrganiser unless `by` runs the event (`runs_event`)."""
    event = session.page.specific
    if not runs_event(by, event):
        raise NotOrganiser(_("Only those who run the event may cancel it."))
    with transaction.atomic():
        _lock_event(event)
        _cancellation, created = SessionCancellation.objects.get_or_create(
            session=session, defaults={"by": by}
        )
        if not created:
            return 0
        people = list(
            Registration.objects.filter(event_id=event.pk)
            .exclude(status=Status.CANCELLED)
            .select_related("user")
        )
        for registration in people:
            _log(
                registration, Action.CANCELLED, by=by, session=session, note=_("Session cancelled")
            )
            entries = _invitation_entries(registration.user, event, [session], cancel=True)
            _after_commit(
                user=registration.user, event=event, kind="session_cancelled",
                entries=entries or [Entry(session, event, registration.user, 0, "", True)],
                method="CANCEL" if entries else None,
            )  # fmt: skip
    return len(people)


def cancel_event(event: EventPage, *, by) -> int:
    """The organiser cancels the whole event: every session and every registration; all
    are told. Returns how many were told.

    Raises NotOrganiser unless `by` runs the event (`runs_event`)."""
    if not runs_event(by, event):
        raise NotOrganiser(_("Only those who run the event may cancel it."))
    with transaction.atomic():
        _lock_event(event)
        sessions = active_sessions(event)
        for session in sessions:
            SessionCancellation.objects.get_or_create(session=session, defaults={"by": by})
        people = list(
            Registration.objects.filter(event_id=event.pk)
            .exclude(status=Status.CANCELLED)
            .select_related("user")
        )
        for registration in people:
            registration.status = Status.CANCELLED
            registration.save(update_fields=["status", "updated_at"])
            _log(registration, Action.CANCELLED, by=by, note=_("Event cancelled"))
            entries = _invitation_entries(registration.user, event, sessions, cancel=True)
            _after_commit(
                user=registration.user, event=event, kind="event_cancelled", entries=entries,
                method="CANCEL" if entries else None,
            )  # fmt: skip
    return len(people)


def send_updates(event: EventPage) -> int:
    """After the event page is published: those holding an invitation whose time, place or
    link changed get an update (same UID, higher SEQUENCE). Returns how many were sent."""
    sent = 0
    with transaction.atomic():
        _lock_event(event)
        now = timezone.now()
        sessions = [s for s in active_sessions(event) if s.end > now]  # the past stays put
        holders = Registration.objects.filter(
            event_id=event.pk, status=Status.REGISTERED
        ).select_related("user")
        for registration in holders:
            changed = [
                session
                for session in sessions
                if Invitation.objects.filter(
                    session=session, user=registration.user, cancelled=False
                )
                .exclude(fingerprint=_fingerprint(event, session))
                .exists()
            ]
            if not changed:
                continue
            entries = _invitation_entries(registration.user, event, changed, cancel=False)
            _after_commit(
                user=registration.user, event=event, kind="updated", entries=entries,
                method="REQUEST", meeting_link=meeting_link_for(registration.user, event),
            )  # fmt: skip
            sent += 1
    return sent


# --- Attendance ------------------------------------------------------------------------


def has_attended(user, session: EventSession) -> bool:
    return Attendance.objects.filter(
        session=session, user=user, status=Attendance.Status.ATTENDED
    ).exists()


def mark_attendance(
    user, *, session: EventSession, attended: bool, by=None, source: str = "organiser",
    minutes: int | None = None, now: datetime | None = None,
) -> Attendance:  # fmt: skip
    """Record whether `user` attended `session`; history entry when it changes. Atomic.
    Only once the session's check-in window has opened (`attendance_open`): before then
    nobody has attended it, nor missed it. Raises NotRegistered, InvalidInput."""
    from .hooks import announce_attended

    if not attendance_open(session, now):
        raise AttendanceNotOpen(_attendance_not_open())
    status = Attendance.Status.ATTENDED if attended else Attendance.Status.NO_SHOW
    event = session.page
    with transaction.atomic():
        registration = Registration.objects.filter(event_id=event.pk, user=user).first()
        if registration is None:
            raise NotRegistered(_("This person is not registered for the event."))
        attendance = (
            Attendance.objects.select_for_update().filter(session=session, user=user).first()
        )
        changed = attendance is None or attendance.status != status
        if attendance is None:
            attendance = Attendance(session=session, user=user)
        attendance.status, attendance.source = status, source
        if minutes is not None:
            attendance.minutes = minutes
        try:
            with transaction.atomic():
                attendance.save()
        except IntegrityError:
            attendance = Attendance.objects.get(session=session, user=user)
            changed = False
        if changed:
            _log(
                registration,
                Action.ATTENDED if attended else Action.NO_SHOW,
                by=by,
                session=session,
            )
            if attended:
                transaction.on_commit(lambda: announce_attended(user=user, session=session))
    return attendance


# Every attempt counts, right or wrong: guessing a 6-character code is hopeless at this pace.
CHECK_IN_ATTEMPTS = accounts.Limit("event-check-in", 10, timedelta(minutes=10))


def _attendance_not_open() -> str:
    return _(
        "Attendance can be recorded only once check-in opens, %(minutes)s minutes before "
        "the session starts."
    ) % {"minutes": int(CHECK_IN_OPENS.total_seconds() // 60)}


def attendance_open(session: EventSession, now: datetime | None = None) -> bool:
    """Whether attendance of `session` can be recorded at `now`: from the opening of its
    check-in window (CHECK_IN_OPENS before its start) onward, by any path (check-in, the
    organiser's list, the meeting tool's report)."""
    return session.start - CHECK_IN_OPENS <= (now or timezone.now())


def check_in_open(session: EventSession, now: datetime | None = None) -> bool:
    """Whether `session` takes check-ins at `now`: from CHECK_IN_OPENS before its start until
    its end (the page offers the form, and `check_in` accepts a code, in this window only).
    A cancelled session's (loaded as `cancellation`) never opens."""
    now = now or timezone.now()
    if hasattr(session, "cancellation"):
        return False
    return session.start - CHECK_IN_OPENS <= now <= session.end


def check_in(user, *, session: EventSession, code: str, now: datetime | None = None) -> Attendance:
    """A participant on site types the code shown in the room. Raises NotRegistered,
    InvalidInput (a wrong code, or too many attempts)."""
    now = now or timezone.now()
    if accounts.hit(CHECK_IN_ATTEMPTS, f"{user.pk}:{session.pk}", now=now) is not None:
        raise InvalidInput(_("Too many attempts. Ask the organiser, or try again in 10 minutes."))
    event = session.page.specific
    if not has_seat(user, event):
        raise NotRegistered(_("Only registered participants can check in."))
    if SessionCancellation.objects.filter(session=session).exists():
        raise InvalidInput(_("This session is cancelled."))
    if not check_in_open(session, now):
        raise InvalidInput(
            _("Check-in is open from %(minutes)s minutes before the start until the end.")
            % {"minutes": int(CHECK_IN_OPENS.total_seconds() // 60)}
        )
    if code.strip().upper() != session.check_in_code.upper():
        raise InvalidInput(_("That is not the code shown in the room. Check it and try again."))
    return mark_attendance(
        user, session=session, attended=True, by=user, source="check_in", now=now
    )


@dataclass
class ImportResult:
    attended: list[str] = field(default_factory=list)
    no_show: list[str] = field(default_factory=list)
    # Rows naming no one this import may mark, (line, email): one bucket, never why (no
    # such account, an account of another organisation, not registered, on the waitlist
    # are alike), so a report cannot be used to ask who has an account or a seat.
    unmatched: list[tuple[int, str]] = field(default_factory=list)


EMAIL_HEADERS = {"email", "e-mail", "e-post", "epost", "user email", "användarens e-post"}
MINUTES_HEADERS = {"minutes", "minuter", "duration (minutes)", "duration", "varaktighet (minuter)"}
MAX_REPORT_BYTES = 2 * 1024 * 1024
# No one is in one meeting for more than a week: more is not a number of minutes present
# (and would not fit the column).
MAX_REPORT_MINUTES = 7 * 24 * 60


def _decode(data: bytes) -> str:
    """UTF-16 only with its byte order mark (Excel's "Unicode text"): any even number of
    bytes decodes as UTF-16, to nonsense, so a Windows-1252 file (Excel's CSV on a Swedish
    Windows) would too. Else UTF-8 (with or without a BOM), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def _minutes(value: str, number: int) -> int:
    """The minutes of report row `number`, or InvalidInput naming the row: a whole or
    decimal number (comma or point) from 0 to MAX_REPORT_MINUTES; never NaN or infinity."""
    try:
        minutes = float(value.strip().replace(",", "."))
    except ValueError:
        minutes = math.nan
    if not math.isfinite(minutes):
        raise InvalidInput(
            _("Row %(n)s: the minutes are not a number (%(value)s).")
            % {"n": number, "value": value[:40]}
        )
    if minutes < 0:
        raise InvalidInput(_("Row %(n)s: the minutes cannot be negative.") % {"n": number})
    if minutes > MAX_REPORT_MINUTES:
        raise InvalidInput(
            _("Row %(n)s: %(value)s minutes is more than a meeting lasts.")
            % {"n": number, "value": value[:40]}
        )
    return int(minutes)


def parse_participant_report(data: bytes) -> list[tuple[int, str, int]]:
    """(line, email, minutes) from a meeting tool's participant report (CSV with a header
    naming the email and minutes columns; comma, semicolon or tab). Raises InvalidInput
    with a message for the organiser, naming the row, for whatever it cannot read."""
    if len(data) > MAX_REPORT_BYTES:
        raise InvalidInput(_("The file is too large (at most 2 MB)."))
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise InvalidInput(_("The file is not a text (CSV) file.")) from None
    if "\x00" in text:
        raise InvalidInput(_("The file is not a text (CSV) file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error:
        # A field over csv's size limit (131 072 characters), a broken quote, ...
        raise InvalidInput(
            _("Row %(n)s cannot be read as CSV (a field too long, or a broken quote).")
            % {"n": len(rows) + 1}
        ) from None
    if not rows:
        raise InvalidInput(_("The file is empty."))
    header = [cell.strip().lower() for cell in rows[0]]
    email_col = next((i for i, h in enumerate(header) if h in EMAIL_HEADERS), None)
    minutes_col = next((i for i, h in enumerate(header) if h in MINUTES_HEADERS), None)
    if email_col is None or minutes_col is None:
        raise InvalidInput(
            _("The first row must name an email column and a minutes column (e.g. Email, Minutes).")
        )
    result = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(email_col, minutes_col):
            raise InvalidInput(_("Row %(n)s has too few columns.") % {"n": number})
        email = row[email_col].strip().lower()
        result.append((number, email, _minutes(row[minutes_col], number)))
    return result


def runs_event(user, event: EventPage) -> bool:
    """Whether `user` runs `event`: a superuser, or one who may edit it and coordinates one
    of its organisers (`is_organising_coordinator`). Only they import its participant
    report and cancel its sessions or the whole event: both act on every organisation's
    participants. Another editor of the page (an editor of the calendar above it, a
    coordinator of a participating municipality) does not run it."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or is_organising_coordinator(user, event)


# The import writes the attendance of every organisation's participants: those who run it.
may_import_report = runs_event


def import_participant_report(
    session: EventSession, *, data: bytes, by, now: datetime | None = None
) -> ImportResult:
    """Mark attendance from the meeting tool's report: a registered participant present at
    least half the session attended; registered participants absent from the report, or
    present less, did not, unless already recorded present another way (checked in on
    site, or marked by the organiser: the report never undoes that). Only the event's
    registered participants are marked (no walk-ins: the report never registers anyone);
    other rows are returned as unmatched, all alike.
    Atomic: a report that cannot be read writes nothing.

    Raises NotOrganiser (`runs_event`), AttendanceNotOpen (a session not begun: nothing is
    read), InvalidInput (the file, naming the row)."""
    event = session.page.specific
    if not runs_event(by, event):
        raise NotOrganiser(_("Only the event's organisers may import its participant report."))
    now = now or timezone.now()
    if not attendance_open(session, now):
        raise AttendanceNotOpen(_attendance_not_open())
    rows = parse_participant_report(data)
    # The participant list the importer sees: for those who run the event, all of it.
    registrations = {
        r.user.email.lower(): r
        for r in visible_registrations(by, event)
        .filter(status=Status.REGISTERED)
        .select_related("user")
        .exclude(user__email="")
    }
    minutes_by_email: dict[str, int] = {}
    result = ImportResult()
    for number, email, minutes in rows:
        if email not in registrations:
            result.unmatched.append((number, email))
            continue
        # A person who left and came back appears on several rows.
        minutes_by_email[email] = minutes_by_email.get(email, 0) + minutes
    needed = max(int((session.end - session.start).total_seconds() // 120), 1)
    with transaction.atomic():
        # Present in the room (checked in, or marked by the organiser): a hybrid session's
        # online report does not list them, and their absence from it says nothing.
        present_otherwise = set(
            Attendance.objects.filter(session=session, status=Attendance.Status.ATTENDED)
            .exclude(source=Attendance.Source.REPORT)
            .values_list("user_id", flat=True)
        )
        for email, registration in registrations.items():
            minutes = min(minutes_by_email.get(email, 0), MAX_REPORT_MINUTES)
            attended = minutes >= needed
            if not attended and registration.user_id in present_otherwise:
                continue
            mark_attendance(
                registration.user, session=session, attended=attended, by=by,
                source="report", minutes=minutes, now=now,
            )  # fmt: skip
            (result.attended if attended else result.no_show).append(email)
    return result


# --- Notices -------------------------------------------------------------------------------


def _notice_once(session, user, kind) -> bool:
    try:
        with transaction.atomic():
            SessionNotice.objects.create(session=session, user=user, kind=kind)
    except IntegrityError:
        return False
    return True


def send_reminders(now: datetime | None = None) -> int:
    """Remind registered participants of sessions starting within REMINDER_AHEAD, once per
    person and session, with the link. Safe to repeat."""
    now = now or timezone.now()
    sent = 0
    sessions = EventSession.objects.filter(
        start__gt=now, start__lte=now + REMINDER_AHEAD, cancellation__isnull=True
    ).select_related("page")
    for session in sessions:
        event = session.page.specific
        if not event.live:
            continue
        holders = Registration.objects.filter(
            event_id=event.pk, status=Status.REGISTERED
        ).select_related("user")
        for registration in holders:
            user = registration.user
            if not _notice_once(session, user, SessionNotice.Kind.REMINDER):
                continue
            send_event_message(
                user=user, event=event, kind="reminder",
                entries=[Entry(session, event, user, 0, "", False)],
                meeting_link=meeting_link_for(user, event),
            )  # fmt: skip
            sent += 1
    return sent


def notify_recordings(event: EventPage, now: datetime | None = None) -> int:
    """Sessions that are over and have a recording: registered participants who did not
    attend are told it is there, once per person and session."""
    now = now or timezone.now()
    sent = 0
    for session in active_sessions(event):
        if recording_of(session, now) is None:
            continue
        holders = Registration.objects.filter(
            event_id=event.pk, status=Status.REGISTERED
        ).select_related("user")
        for registration in holders:
            user = registration.user
            if has_attended(user, session):
                continue
            if not _notice_once(session, user, SessionNotice.Kind.RECORDING):
                continue
            send_event_message(
                user=user, event=event, kind="recording",
                entries=[Entry(session, event, user, 0, "", False)],
                link=recording_url(event, session),
            )  # fmt: skip
            sent += 1
    return sent
