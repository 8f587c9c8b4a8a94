"""What events keep about a person: in their own record (GDPR access), and when they are
anonymised (decisions 0014 and 0034). Registered with compliance's hooks, which import
nothing of events (layers)."""

from __future__ import annotations

from wagtail import hooks

from wagtail_learning.compliance.api import (
    PERSONAL_DATA,
    RECORD_SECTIONS,
    TRAINING_RECORD,
    OnAnonymise,
    RecordSection,
    redact_names,
)

from .models import Attendance, Registration, RegistrationEntry
from .services import release_places, waitlist_position

_KEEP_ACTOR = "the person as the one who acted; the account no longer names them"


def _anonymise_registrations(*, rows, user, former: list[str], label: str) -> None:
    """Places in line and seats at events still to come are given up (the seats go to the
    first in line); the answers to the event's questions are the person's own words and
    are emptied; the notes in the registrations' history lose the names. That they were
    registered, and attended, stays for statistics."""
    release_places(user, note=label)
    rows.exclude(answers={}).update(answers={})
    for entry in RegistrationEntry.objects.filter(registration__user=user).exclude(note=""):
        # Append-only for the application; anonymisation rewrites the note in place.
        RegistrationEntry.objects.filter(pk=entry.pk).update(
            note=redact_names(entry.note, former, label)[:300]
        )


@hooks.register(PERSONAL_DATA)
def personal_data() -> dict[str, OnAnonymise]:
    return {
        "events.registration.user": OnAnonymise(
            "registrations stay for statistics; answers emptied, places given up",
            run=_anonymise_registrations,
        ),
        "events.attendance.user": OnAnonymise("attendance stays, for statistics"),
        "events.calendarfeed.user": OnAnonymise(
            "a secret link to the person's calendar", delete=True
        ),
        "events.invitation.user": OnAnonymise(
            "which calendar entries were sent, and when: no personal content"
        ),
        "events.sessionnotice.user": OnAnonymise("which messages were sent: no personal content"),
        "events.registrationentry.by": OnAnonymise(_KEEP_ACTOR),
        "events.sessioncancellation.by": OnAnonymise(_KEEP_ACTOR),
    }


def _answers(registration: Registration) -> list[dict]:
    """The answers as question and answer in words (the key when the question is gone)."""
    labels = {str(q.key): q.label for q in registration.event.questions.all()}
    return [
        {"question": labels.get(key, key), "answer": answer}
        for key, answer in (registration.answers or {}).items()
    ]


@hooks.register(TRAINING_RECORD)
def training_record(*, user) -> dict:
    """The person's registrations (with their place in line, their answers in words and
    the history), and their attendance at each session."""
    registrations = list(
        Registration.objects.filter(user=user)
        .select_related("event")
        .prefetch_related("event__questions", "history")
        .order_by("created_at", "pk")
    )
    attendance = (
        Attendance.objects.filter(user=user)
        .select_related("session__page")
        .order_by("session__start", "pk")
    )
    return {
        "event_registrations": [
            {
                "event": registration.event.title,
                "event_id": registration.event_id,
                "status": registration.get_status_display(),
                "waitlist_position": waitlist_position(registration),
                "in_line_since": registration.queued_at,
                "registered": registration.created_at,
                "answers": _answers(registration),
                "history": [
                    {"what": entry.get_action_display(), "when": entry.at, "note": entry.note}
                    for entry in registration.history.all()
                ],
            }
            for registration in registrations
        ],
        "event_attendance": [
            {
                "event": row.session.page.title,
                "session": row.session.title,
                "start": row.session.start,
                "attendance": row.get_status_display(),
                "source": row.get_source_display(),
                "minutes": row.minutes,
            }
            for row in attendance
        ],
    }


@hooks.register(RECORD_SECTIONS)
def record_section() -> RecordSection:
    """The events on the person's own record page; their answers are their own words."""
    return RecordSection(
        template="events/record_section.html",
        own_words={"event_registrations": ("answers",)},
        order=200,
    )
