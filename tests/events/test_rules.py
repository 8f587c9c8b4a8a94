"""The rules of events as a person meets them: until when they may cancel, whom an event is
open to, how many seats are left and where they stand in line, the check-in window, the
calendar's order, reminders and the recording mail, and an organiser cancelling it all."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from tests.factories import LectureFactory, SuperuserFactory, org_unit, staff_member
from wagtail_learning.events import api as events
from wagtail_learning.events import services
from wagtail_learning.events.models import EventPage, Registration

from .helpers import events_index, make_event, people

pytestmark = pytest.mark.django_db

REGISTERED, WAITLISTED, CANCELLED = "registered", "waitlisted", "cancelled"


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the msgids); the Swedish is in the catalogue."""
    with translation.override("en"):
        yield


@pytest.fixture
def huddinge():
    return org_unit("Huddinge kommun")


def status_of(user, event):
    return Registration.objects.get(user=user, event=event).status


def page_of(client, user, event) -> str:
    client.force_login(user)
    return client.get(event.url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()


# --- Cancelling: the cut-off is before the FIRST session ---------------------------------


def test_the_cut_off_is_counted_from_the_first_session_not_the_last(huddinge):
    event = make_event(sessions=3, seats=5, cancellation_cutoff_hours=24)
    first = event.sessions.order_by("start").first()
    (member,) = people(huddinge, 1)
    events.register(member, event=event)

    assert services.cancellation_deadline(event) == first.start - timedelta(hours=24)
    # A day before the second session, but less than a day before the first: too late.
    with pytest.raises(events.CancellationClosed) as refused:
        events.cancel_registration(member, event=event, now=first.start - timedelta(hours=2))
    assert "24" in refused.value.message
    assert status_of(member, event) == REGISTERED
    # Exactly at the cut-off it is still possible.
    events.cancel_registration(member, event=event, now=first.start - timedelta(hours=24))
    assert status_of(member, event) == CANCELLED


def test_someone_in_line_may_leave_it_after_the_cut_off(huddinge):
    event = make_event(seats=1, starts_in=timedelta(hours=3))
    a, b = people(huddinge, 2)
    events.register(a, event=event)
    events.register(b, event=event)
    assert events.cancel_registration(b, event=event) == []
    assert status_of(b, event) == CANCELLED
    assert status_of(a, event) == REGISTERED


def test_cancelling_without_a_registration_is_refused(huddinge):
    event = make_event(seats=1)
    (member,) = people(huddinge, 1)
    with pytest.raises(events.NotRegistered):
        events.cancel_registration(member, event=event)


# --- Whom the event is open to ----------------------------------------------------------


def test_staff_are_refused_an_event_for_external_participants_only(huddinge):
    event = make_event(audience_staff=False, audience_external=True)
    member = staff_member(huddinge)
    guest = staff_member(huddinge, username="gast", external=True)
    with pytest.raises(events.NotInAudience) as refused:
        events.register(member, event=event)
    assert refused.value.message == "This event is open to external participants only."
    assert not Registration.objects.filter(user=member).exists()
    assert events.register(guest, event=event).registration.status == REGISTERED


def test_an_event_open_to_both_admits_staff_and_external(huddinge):
    event = make_event(audience_staff=True, audience_external=True)
    member = staff_member(huddinge)
    guest = staff_member(huddinge, username="gast", external=True)
    assert events.register(member, event=event).registration.status == REGISTERED
    assert events.register(guest, event=event).registration.status == REGISTERED


def test_a_person_without_an_organisation_is_refused_an_event_for_named_ones(huddinge):
    from tests.factories import UserFactory

    event = make_event(audience_organisations=[huddinge])
    with pytest.raises(events.NotInAudience) as refused:
        events.register(UserFactory(), event=event)
    assert "Huddinge kommun" in refused.value.message


# --- Seats left and the line ------------------------------------------------------------


def test_the_page_counts_the_seats_left_and_offers_the_waitlist_when_full(client, huddinge):
    event = make_event(seats=3)
    a, b, c, d, e = people(huddinge, 5)
    events.register(a, event=event)
    events.register(b, event=event)
    html = page_of(client, e, event)
    assert "<dd data-seats-left>1 / 3</dd>" in html
    assert "Ställ dig på väntelistan" not in html

    events.register(c, event=event)
    events.register(d, event=event)
    html = page_of(client, e, event)
    assert "<dd data-seats-left>0 / 3</dd>" in html
    assert "Ställ dig på väntelistan" in html
    assert services.count_seats(event) == services.SeatCount(3, 3, 1)


def test_fewer_seats_than_people_registered_shows_none_left_never_a_negative(client, huddinge):
    event = make_event(seats=3)
    a, b, c, d = people(huddinge, 4)
    for person in (a, b, c):
        events.register(person, event=event)
    EventPage.objects.filter(pk=event.pk).update(seats=1)
    event = EventPage.objects.get(pk=event.pk)
    assert services.count_seats(event).left == 0
    assert "<dd data-seats-left>0 / 1</dd>" in page_of(client, d, event)


def test_without_a_limit_there_is_no_count_of_seats(client, huddinge):
    event = make_event(seats=None)
    (a,) = people(huddinge, 1)
    assert services.count_seats(event).left is None
    assert "data-seats-left" not in page_of(client, a, event)


def test_each_person_in_line_is_told_their_number(client, huddinge):
    event = make_event(seats=1)
    a, b, c, d = people(huddinge, 4)
    for person in (a, b, c, d):
        events.register(person, event=event)
    assert "Du står på väntelistan (nummer 2 i kön)." in page_of(client, c, event)
    assert "Du står på väntelistan (nummer 3 i kön)." in page_of(client, d, event)
    assert "i kön" not in page_of(client, a, event)
    assert services.waitlist_position(Registration.objects.get(user=a)) is None

    # The same moment in line: the earlier registration (lower id) is ahead, as promotion goes.
    same = timezone.now()
    Registration.objects.filter(event=event, status=WAITLISTED).update(queued_at=same)
    regs = {r.user_id: r for r in Registration.objects.filter(event=event)}
    positions = services.waitlist_positions(event)
    assert positions == {regs[b.pk].pk: 1, regs[c.pk].pk: 2, regs[d.pk].pk: 3}
    assert services.waitlist_position(regs[c.pk]) == 2
    assert "Du står på väntelistan (nummer 3 i kön)." in page_of(client, d, event)


# --- Registration opens and closes ------------------------------------------------------


def test_registration_is_open_until_the_deadline_minute_and_refused_after(huddinge):
    deadline = timezone.now() + timedelta(days=2)
    event = make_event(registration_deadline=deadline)
    a, b = people(huddinge, 2)
    assert services.registration_open(event, deadline)
    assert events.register(a, event=event, now=deadline).created
    with pytest.raises(events.RegistrationClosed):
        events.register(b, event=event, now=deadline + timedelta(seconds=1))


def test_registration_closes_when_the_last_session_has_started(huddinge):
    event = make_event(sessions=2)
    last = event.sessions.order_by("start").last()
    (a,) = people(huddinge, 1)
    assert services.registration_open(event, last.start - timedelta(seconds=1))
    assert not services.registration_open(event, last.start)
    with pytest.raises(events.RegistrationClosed) as refused:
        events.register(a, event=event, now=last.start)
    assert refused.value.message == "This event has no sessions left to register for."


# --- Check-in ---------------------------------------------------------------------------


def test_check_in_opens_half_an_hour_before_and_closes_at_the_end(huddinge):
    event = make_event(seats=5)
    session = event.sessions.get()
    (member,) = people(huddinge, 1)
    events.register(member, event=event)
    code = session.check_in_code
    opens = session.start - services.CHECK_IN_OPENS

    for too_early_or_late in (opens - timedelta(seconds=1), session.end + timedelta(seconds=1)):
        with pytest.raises(events.InvalidInput) as refused:
            events.check_in(member, session=session, code=code, now=too_early_or_late)
        assert "30 minutes" in refused.value.message
    assert not events.has_attended(member, session)

    events.check_in(member, session=session, code=code.lower(), now=opens)
    assert events.has_attended(member, session)
    events.check_in(member, session=session, code=f" {code} ", now=session.end)
    assert events.has_attended(member, session)


def test_check_in_needs_a_seat_and_the_code_of_the_room(huddinge):
    event = make_event(seats=1)
    session = event.sessions.get()
    seated, waiting = people(huddinge, 2)
    events.register(seated, event=event)
    events.register(waiting, event=event)
    now = session.start
    with pytest.raises(events.NotRegistered):
        events.check_in(waiting, session=session, code=session.check_in_code, now=now)
    with pytest.raises(events.InvalidInput) as refused:
        events.check_in(seated, session=session, code="WRONG1", now=now)
    assert "not the code shown in the room" in refused.value.message
    assert not events.has_attended(seated, session)


def test_check_in_to_a_cancelled_session_is_refused(huddinge):
    event = make_event(seats=5)
    session = event.sessions.get()
    (member,) = people(huddinge, 1)
    events.register(member, event=event)
    services.cancel_session(session, by=SuperuserFactory())
    with pytest.raises(events.InvalidInput) as refused:
        events.check_in(member, session=session, code=session.check_in_code, now=session.start)
    assert refused.value.message == "This session is cancelled."


# --- The calendar's order ---------------------------------------------------------------


def test_the_calendar_lists_one_index_soonest_first_then_the_latest_past():
    from wagtail_learning.events.models import EventIndexPage

    other = events_index()

    elsewhere = EventIndexPage(title="Andra evenemang", slug="andra")
    other.get_parent().add_child(instance=elsewhere)
    now = timezone.now()
    soon = make_event(title="Snart", starts_in=timedelta(days=2))
    make_event(title="Senare", starts_in=timedelta(days=20))
    make_event(title="Länge sedan", starts_in=timedelta(days=-200))
    make_event(title="Nyss", starts_in=timedelta(days=-3))
    make_event(title="Annanstans", parent=elsewhere, starts_in=timedelta(days=1))

    titles = [e.title for e in services.list_events(parent=other, now=now)]
    assert titles == ["Snart", "Senare", "Nyss", "Länge sedan"]
    assert "Annanstans" in [e.title for e in services.list_events(now=now)]
    # An event starting this very moment is still ahead, not past.
    starting = soon.sessions.get().start
    titles = [e.title for e in services.list_events(parent=other, now=starting)]
    assert titles[:2] == ["Snart", "Senare"]


# --- Reminders and the recording mail ---------------------------------------------------


def test_a_reminder_goes_once_to_each_seat_holder_within_a_day_of_the_start(huddinge):
    soon = make_event(title="Imorgon", seats=1, starts_in=timedelta(hours=20))
    far = make_event(title="Nästa vecka", seats=5, starts_in=timedelta(days=7))
    seated, waiting = people(huddinge, 2)
    events.register(seated, event=soon)
    events.register(waiting, event=soon)
    events.register(seated, event=far)
    mail.outbox.clear()

    assert services.send_reminders() == 1
    assert [m.to for m in mail.outbox] == [[seated.email]]
    assert "Imorgon" in mail.outbox[0].subject
    assert soon.meeting_url in mail.outbox[0].body
    assert services.send_reminders() == 0  # once per person and session
    assert len(mail.outbox) == 1

    # Exactly a day ahead is within; a session that has started is not reminded.
    start = far.sessions.get().start
    assert services.send_reminders(now=start - services.REMINDER_AHEAD) == 1
    assert services.send_reminders(now=start) == 0


def test_no_reminder_for_an_unpublished_or_cancelled_session(huddinge):
    hidden = make_event(title="Dold", seats=5, starts_in=timedelta(hours=5))
    called_off = make_event(title="Inställd", seats=5, starts_in=timedelta(hours=5))
    (member,) = people(huddinge, 1)
    events.register(member, event=hidden)
    events.register(member, event=called_off)
    hidden.unpublish()
    services.cancel_session(called_off.sessions.get(), by=SuperuserFactory())
    mail.outbox.clear()
    assert services.send_reminders() == 0
    assert mail.outbox == []


def test_the_recording_mail_goes_after_the_session_to_those_who_missed_it(past_event):
    w = past_event
    session = w["session"]
    events.mark_attendance(w["h1"], session=session, attended=True)
    event = EventPage.objects.get(pk=w["event"].pk)
    mail.outbox.clear()
    assert services.notify_recordings(event) == 0  # no recording yet

    session.recording = LectureFactory(title="Inspelning")
    session.save()
    assert services.notify_recordings(event, now=session.start) == 0  # not over yet
    assert services.notify_recordings(event, now=session.end) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([w["h2"].email, w["b1"].email])
    assert services.notify_recordings(event) == 0
    assert len(mail.outbox) == 2


# --- The organiser cancels the event ----------------------------------------------------


def test_cancelling_the_event_tells_everyone_and_closes_registration(
    huddinge, django_capture_on_commit_callbacks
):
    event = make_event(title="Nätverksträff", seats=1, sessions=2)
    seated, waiting, late = people(huddinge, 3)
    with django_capture_on_commit_callbacks(execute=True):  # the seat's invitation is sent
        events.register(seated, event=event)
    events.register(waiting, event=event)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        told = services.cancel_event(event, by=SuperuserFactory())
    assert told == 2
    assert status_of(seated, event) == CANCELLED
    assert status_of(waiting, event) == CANCELLED
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {
        seated.email: "Event cancelled: Nätverksträff",
        waiting.email: "Event cancelled: Nätverksträff",
    }
    seated_mail = next(m for m in mail.outbox if m.to == [seated.email])
    assert "METHOD:CANCEL" in seated_mail.attachments[0].get_payload(decode=True).decode()
    assert not next(m for m in mail.outbox if m.to == [waiting.email]).attachments
    assert services.active_sessions(event) == []
    assert not services.registration_open(event)
    with pytest.raises(events.RegistrationClosed):
        events.register(late, event=event)


# --- Only those who run the event cancel it ---------------------------------------------


@pytest.fixture
def run_by_lansstyrelsen(huddinge):
    """An upcoming event organised by Länsstyrelsen, a Huddinge participant with a seat,
    the coordinator who runs it, and an editor of the calendar above it who does not."""
    from tests.factories import editor_of
    from wagtail_learning.org.models import ReportingScope

    lansstyrelsen = org_unit("Länsstyrelsen i Uppsala län")
    event = make_event(title="Nätverksträff", organisers=[lansstyrelsen], seats=5, sessions=2)
    (member,) = people(huddinge, 1)
    events.register(member, event=event)
    organiser = editor_of(event, username="organisator")
    ReportingScope.objects.create(user=organiser, unit=lansstyrelsen)
    calendar_editor = editor_of(events_index(), username="kalenderredaktor")
    return {"event": event, "member": member, "organiser": organiser, "editor": calendar_editor}


def test_an_editor_of_the_calendar_who_does_not_run_the_event_cannot_cancel_it(
    run_by_lansstyrelsen, client
):
    from django.urls import reverse

    w = run_by_lansstyrelsen
    event, session = w["event"], w["event"].sessions.order_by("start").first()
    client.force_login(w["editor"])
    participants = client.get(reverse("events_participants", args=[event.pk])).content.decode()
    assert reverse("events_cancel", args=[event.pk]) not in participants
    mail.outbox.clear()

    for path in (
        reverse("events_cancel_session", args=[event.pk, session.pk]),
        reverse("events_cancel", args=[event.pk]),
    ):
        response = client.post(path)
        # Wagtail's admin answers a refusal with a redirect to its home and a message.
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    assert len(services.active_sessions(event)) == 2
    assert status_of(w["member"], event) == REGISTERED
    assert mail.outbox == []
    with pytest.raises(events.NotOrganiser):
        services.cancel_event(event, by=w["editor"])
    with pytest.raises(events.NotOrganiser):
        services.cancel_session(session, by=w["editor"])


def test_the_coordinator_who_runs_the_event_cancels_a_session_and_everyone_is_told(
    run_by_lansstyrelsen, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    w = run_by_lansstyrelsen
    event, session = w["event"], w["event"].sessions.order_by("start").first()
    client.force_login(w["organiser"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("events_cancel_session", args=[event.pk, session.pk]))
    assert done.status_code == 302
    assert len(services.active_sessions(event)) == 1
    assert [m.subject for m in mail.outbox] == ["Tillfälle inställt: Nätverksträff"]
    assert services.cancel_session(session, by=w["organiser"]) == 0  # once only


def test_the_check_in_window_and_its_message_follow_the_one_rule(client, huddinge, monkeypatch):
    """The page offers the form exactly while check-in accepts a code, and the refusal names
    the window the rule has (not a number of its own)."""
    monkeypatch.setattr(services, "CHECK_IN_OPENS", timedelta(minutes=45))
    event = make_event(seats=5, starts_in=timedelta(minutes=40))
    session = event.sessions.get()
    (member,) = people(huddinge, 1)
    events.register(member, event=event)
    assert 'class="check-in-form"' in page_of(client, member, event)
    with translation.override("en"), pytest.raises(events.InvalidInput) as refused:
        events.check_in(
            member, session=session, code=session.check_in_code,
            now=session.start - timedelta(minutes=50),
        )  # fmt: skip
    assert refused.value.message == (
        "Check-in is open from 45 minutes before the start until the end."
    )
    events.check_in(member, session=session, code=session.check_in_code)
    assert events.has_attended(member, session)
    # Once the session is cancelled, the page no longer offers the form.
    services.cancel_session(session, by=SuperuserFactory())
    assert 'class="check-in-form"' not in page_of(client, member, event)


def test_past_events_are_ordered_by_their_last_session():
    from wagtail_learning.events.models import EventIndexPage

    calendar = EventIndexPage(title="Arkiv", slug="arkiv")
    events_index().get_parent().add_child(instance=calendar)
    # A series that began long ago but ended last week comes before a one-off of last month.
    make_event(title="Serien", parent=calendar, sessions=3, starts_in=timedelta(days=-21))
    make_event(title="Engångsträffen", parent=calendar, starts_in=timedelta(days=-14))
    titles = [e.title for e in services.list_events(parent=calendar)]
    assert titles == ["Serien", "Engångsträffen"]


def test_a_live_session_step_naming_session_zero_names_none():
    event = make_event(sessions=2)
    first, second = event.sessions.order_by("sort_order", "start")
    assert services.session_by_number(event, 0) is None
    assert services.session_by_number(event, 1) == first
    assert services.session_by_number(event, 2) == second
    assert services.session_by_number(event, 3) is None


def test_an_event_has_taken_place_when_its_last_held_session_has_ended():
    event = make_event(sessions=2)
    sessions = list(event.sessions.select_related("cancellation").order_by("start"))
    last_end = sessions[-1].end
    assert services.has_taken_place(sessions, last_end)
    assert not services.has_taken_place(sessions, last_end - timedelta(seconds=1))
    # Asked about a moment in the past, the answer is about that moment.
    assert not services.has_taken_place(sessions, sessions[0].end)
    assert not services.has_taken_place(sessions)
    assert not services.has_taken_place([], last_end)


def test_someone_who_leaves_gives_up_their_seat_to_the_first_in_line_with_the_note_kept(
    huddinge,
):
    from wagtail_learning.events.models import RegistrationEntry

    event = make_event(seats=1)
    leaving, waiting = people(huddinge, 2)
    events.register(leaving, event=event)
    events.register(waiting, event=event)
    assert services.release_places(leaving, note="Slutat. " + "x" * 400) == 1
    assert status_of(leaving, event) == CANCELLED
    assert status_of(waiting, event) == REGISTERED
    entry = RegistrationEntry.objects.filter(registration__user=leaving).latest("pk")
    assert entry.action == "cancelled"
    assert entry.note == ("Slutat. " + "x" * 400)[:300]
    assert services.release_places(leaving) == 0


def test_more_seats_go_to_the_first_in_line_who_is_told(
    huddinge, django_capture_on_commit_callbacks
):
    event = make_event(title="Nätverksträff", seats=1)
    seated, first, second = people(huddinge, 3)
    for person in (seated, first, second):
        events.register(person, event=event)
    EventPage.objects.filter(pk=event.pk).update(seats=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.fill_free_seats(event)
    assert [r.user for r in promoted] == [first]
    assert status_of(first, event) == REGISTERED
    assert status_of(second, event) == WAITLISTED
    assert [m.to for m in mail.outbox] == [[first.email]]
    assert services.fill_free_seats(event) == []


def test_a_long_answer_is_kept_to_its_first_thousand_characters(huddinge):
    event = make_event(questions=[("Allergier?", False)])
    (member,) = people(huddinge, 1)
    key = str(event.questions.get().key)
    registration = events.register(
        member, event=event, answers={key: " " + "a" * 1500}
    ).registration
    assert registration.answers[key] == "a" * 1000


def test_a_full_event_says_it_is_full_not_that_the_organisations_seats_are_taken(client, huddinge):
    event = make_event(seats=1)
    seated, late = people(huddinge, 2)
    events.register(seated, event=event)
    assert events.register(late, event=event).quota_full is False
    other = staff_member(huddinge, username="sen")
    client.force_login(other)
    response = client.post(event.url + "anmalan/", follow=True, HTTP_ACCEPT_LANGUAGE="sv")
    html = response.content.decode()
    assert "Evenemanget är fullbokat, så du står på väntelistan." in html
    assert "organisations platser är tagna" not in html


def test_the_history_and_the_counts_organisers_are_given(
    huddinge, django_capture_on_commit_callbacks
):
    from wagtail_learning.events.models import RegistrationEntry

    event = make_event(seats=5, sessions=2)
    a, b = people(huddinge, 2)
    with django_capture_on_commit_callbacks(execute=True):  # the invitations are sent
        events.register(a, event=event)
        events.register(b, event=event)
    first, second = event.sessions.order_by("start")

    # Marking the same attendance twice is one entry in the history.
    # (Recorded once the session has begun: decision in events.services.attendance_open.)
    held = first.start
    attendance = events.mark_attendance(a, session=first, attended=True, now=held)
    assert attendance.status == "attended"
    events.mark_attendance(a, session=first, attended=True, now=held)
    events.mark_attendance(a, session=first, attended=False, now=held)
    actions = RegistrationEntry.objects.filter(registration__user=a, session=first)
    assert list(actions.values_list("action", flat=True)) == ["attended", "no_show"]

    # A changed venue: both invited are sent an update, once.
    EventPage.objects.filter(pk=event.pk).update(venue="Huddinge stadshus")
    assert services.send_updates(EventPage.objects.get(pk=event.pk)) == 2
    assert services.send_updates(EventPage.objects.get(pk=event.pk)) == 0

    # Cancelling a session, then the event, is in each person's history.
    services.cancel_session(second, by=SuperuserFactory(username="admin1"))
    services.cancel_event(event, by=SuperuserFactory(username="admin2"))
    notes = list(
        RegistrationEntry.objects.filter(registration__user=b, action="cancelled")
        .order_by("pk")
        .values_list("note", flat=True)
    )
    assert notes == ["Session cancelled", "Event cancelled"]
