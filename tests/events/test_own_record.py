"""A person's own record (/min-utbildning/ and its JSON download, GDPR access) holds what
events keep about them (issue 21): their registrations, their attendance as it was
recorded (checked in on site, from the meeting tool's report), their places in line with
the number, and their answers to the events' questions."""

from __future__ import annotations

import json

import pytest

from tests.factories import SuperuserFactory, org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events import services
from wagtail_learning.events.models import EventPage

from .helpers import make_event, people

pytestmark = pytest.mark.django_db

PAGE = "/min-utbildning/"
EXPORT = "/min-utbildning/export.json"
ANSWER = "Vegetarisk kost, hörslinga"


@pytest.fixture
def kim(django_capture_on_commit_callbacks):
    """Kim holds a seat (with an answer) and checked in; attended another event by the
    meeting tool's report (80 minutes); waits as number 2 at a full one."""
    huddinge = org_unit("Huddinge kommun")
    (kim, first, second) = people(huddinge, 3, prefix="k")
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_event(title="Nätverksträff", questions=[("Kost och behov?", False)])
        question = EventPage.objects.get(pk=meeting.pk).questions.get()
        events.register(kim, event=meeting, answers={str(question.key): ANSWER})
        session = meeting.sessions.get()
        services.check_in(kim, session=session, code=session.check_in_code, now=session.start)

        online = make_event(title="Webbinarium")
        events.register(kim, event=online)
        report = b"Email,Minutes\n" + kim.email.encode() + b",80\n"
        held = online.sessions.get()
        services.import_participant_report(held, data=report, by=SuperuserFactory(), now=held.end)

        full = make_event(title="Fullbokat seminarium", seats=1)
        for person in (first, second, kim):
            events.register(person, event=full)
    return kim


def test_the_download_holds_registrations_attendance_places_in_line_and_answers(client, kim):
    client.force_login(kim)
    record = json.loads(client.get(EXPORT).content)

    registrations = {r["event"]: r for r in record["event_registrations"]}
    assert set(registrations) == {"Nätverksträff", "Webbinarium", "Fullbokat seminarium"}
    assert registrations["Nätverksträff"]["answers"] == [
        {"question": "Kost och behov?", "answer": ANSWER}
    ]
    assert registrations["Fullbokat seminarium"]["waitlist_position"] == 2
    assert registrations["Webbinarium"]["waitlist_position"] is None
    attendance = {a["event"]: a for a in record["event_attendance"]}
    assert attendance["Nätverksträff"]["source"] == "Incheckad på plats"
    assert (attendance["Webbinarium"]["source"], attendance["Webbinarium"]["minutes"]) == (
        "Mötesverktygets rapport", 80,
    )  # fmt: skip


def test_the_page_shows_how_attendance_was_recorded_places_in_line_and_answers(client, kim):
    client.force_login(kim)
    page = client.get(PAGE).content.decode()

    for text in (
        "Nätverksträff", "Webbinarium", "Fullbokat seminarium",  # registrations
        "nummer 2 i kön",  # the place in line
        ANSWER,  # what they answered
        "Incheckad på plats", "Mötesverktygets rapport", "80 min",  # attendance, and how
    ):  # fmt: skip
        assert text in page, text
