"""The meeting tool's participant report: who may import it, whom it may mark, what it says
about rows it cannot match, and files it cannot read (a message naming the row, never an
error page, nothing written)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import GroupPagePermission

from tests.factories import UserFactory, editor_of, hr_user, in_english, org_unit, staff_member
from wagtail_learning.events import api as events
from wagtail_learning.events.errors import InvalidInput, NotOrganiser
from wagtail_learning.events.models import Attendance, RegistrationEntry
from wagtail_learning.events.services import (
    MAX_REPORT_MINUTES,
    import_participant_report,
    may_import_report,
    parse_participant_report,
)
from wagtail_learning.org.models import ReportingScope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The engine's messages read in English here, as the admin client's pages do."""
    with translation.override("en"):
        yield


def client_of(user) -> Client:
    client = in_english(Client())
    client.force_login(user)
    return client


def import_url(w) -> str:
    return reverse("events_import_report", args=[w["event"].pk, w["session"].pk])


def post_report(client, w, body: bytes | str, follow: bool = True):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = body.encode("utf-8") if isinstance(body, str) else body
    return client.post(
        import_url(w), {"report": SimpleUploadedFile("deltagare.csv", data)}, follow=follow
    )


def refused(response) -> bool:
    """Wagtail's admin answers a PermissionDenied with a redirect to its home page."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def marks() -> list:
    return sorted(Attendance.objects.values_list("user__username", "status", "minutes"))


def full_report(w) -> str:
    return (
        "Namn;E-post;Minuter\n"
        f"Hanna;{w['h1'].email};90\nHugo;{w['h2'].email};90\nBo;{w['b1'].email};90\n"
    )


def participating_editor(w):
    """Huddinge's coordinator, who may also edit the event page (an editor of the calendar
    would be the same): edits the page, runs none of it."""
    editor = hr_user(w["huddinge"], username="hr-huddinge")
    group = Group.objects.create(name="Kalenderredaktörer")
    GroupPagePermission.objects.create(group=group, page=w["event"], permission_type="change")
    editor.groups.add(group)
    return editor


def test_an_editor_who_does_not_run_the_event_cannot_import_its_report(past_event):
    """Before: any editor of the page imported, marking Botkyrka's participant too, and
    learnt from the result who was registered."""
    w = past_event
    editor = participating_editor(w)
    client = client_of(editor)
    assert client.get(reverse("events_participants", args=[w["event"].pk])).status_code == 200
    page = client.get(reverse("events_participants", args=[w["event"].pk])).content.decode()
    assert import_url(w) not in page  # no import form offered

    assert refused(post_report(client, w, full_report(w), follow=False))
    assert marks() == []
    assert not RegistrationEntry.objects.filter(action__in=["attended", "no_show"]).exists()
    with pytest.raises(NotOrganiser):
        import_participant_report(w["session"], data=full_report(w).encode(), by=editor)
    assert marks() == []


def test_the_people_who_run_the_event_and_superusers_import_it(past_event):
    w = past_event
    assert may_import_report(w["organiser"], w["event"])
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert may_import_report(superuser, w["event"])
    # Coordinating the organiser without edit rights, or editing without coordinating it.
    coordinator = hr_user(w["event"].organisers.get(), username="lst-samordnare")
    assert not may_import_report(coordinator, w["event"])
    plain_editor = editor_of(w["event"], username="bara-redaktor")
    assert not may_import_report(plain_editor, w["event"])
    assert not may_import_report(participating_editor(w), w["event"])
    from django.contrib.auth.models import AnonymousUser

    assert may_import_report(AnonymousUser(), w["event"]) is False
    assert may_import_report(None, w["event"]) is False

    result = import_participant_report(w["session"], data=full_report(w).encode(), by=superuser)
    assert sorted(result.attended) == sorted([w["h1"].email, w["h2"].email, w["b1"].email])
    assert marks() == [("bot0", "attended", 90), ("hudd0", "attended", 90),
                       ("hudd1", "attended", 90)]  # fmt: skip


def test_rows_that_match_no_registered_participant_all_read_alike(past_event):
    """An account of another organisation, a person on the waitlist, a cancelled one, an
    address with no account: one bucket, "not matched", and the message is the same for
    each, so a report cannot ask who has an account or a seat."""
    w = past_event
    solna = org_unit("Solna stad")
    outsider = staff_member(solna, username="solna0", email="solna0@solna.example.se")
    events.cancel_registration(w["h2"], event=w["event"], by=w["organiser"])
    client = client_of(w["organiser"])

    def warning_for(email: str) -> str:
        body = f"E-post;Minuter\n{w['h1'].email};90\n{email};90\n"
        html = post_report(client, w, body).content.decode()
        start = html.index("Not matched")
        return html[start : html.index("</", start)].replace(email, "EMAIL")

    said = {
        who: warning_for(email)
        for who, email in [
            ("another organisation", outsider.email),
            ("cancelled", w["h2"].email),
            ("no account", "ingen@example.com"),
        ]
    }
    assert len(set(said.values())) == 1, said
    assert "row 3 (EMAIL)" in said["no account"]
    assert not Attendance.objects.filter(user__in=[outsider, w["h2"]]).exists()
    assert events.has_attended(w["h1"], w["session"])


def test_many_unmatched_rows_are_one_message_naming_the_first_twenty(past_event):
    w = past_event
    body = "E-post;Minuter\n" + "".join(f"gast{i}@example.com;5\n" for i in range(25))
    html = post_report(client_of(w["organiser"]), w, body).content.decode()
    assert html.count("Not matched") == 1
    assert "row 21 (gast19@example.com)" in html and "gast20@" not in html
    assert "and 5 more" in html


def test_the_minutes_of_one_person_on_several_rows_add_up_to_at_most_a_week(
    past_event,
):
    w = past_event
    body = "E-post;Minuter\n" + f"{w['h1'].email};{MAX_REPORT_MINUTES}\n" * 3
    post_report(client_of(w["organiser"]), w, body + f"{w['h2'].email};44\n")
    assert Attendance.objects.get(user=w["h1"]).minutes == MAX_REPORT_MINUTES
    assert not events.has_attended(w["h2"], w["session"])  # 44 of 90: less than half
    post_report(client_of(w["organiser"]), w, f"E-post;Minuter\n{w['h2'].email};45\n")
    assert events.has_attended(w["h2"], w["session"])  # exactly half


LONG = "x" * 200_000


@pytest.mark.parametrize(
    "body, row",
    [
        ("Email,Minutes\nhudd0@kommun.example.se,inf\n", 2),
        ("Email,Minutes\nhudd0@kommun.example.se,-inf\n", 2),
        ("Email,Minutes\nhudd0@kommun.example.se,Infinity\n", 2),
        ("Email,Minutes\nhudd0@kommun.example.se,nan\n", 2),
        ("Email,Minutes\nhudd0@kommun.example.se,1e400\n", 2),
        ("Email,Minutes\nhudd0@kommun.example.se," + "9" * 400 + "\n", 2),
        ("Email,Minutes\nhudd0@kommun.example.se,1e12\n", 2),
        ("Email,Minutes\nhudd0@kommun.example.se,10081\n", 2),
        ("Email,Minutes\nhudd0@kommun.example.se,5\nhudd1@kommun.example.se,-5\n", 3),
        ("Email,Minutes\nhudd0@kommun.example.se,5\nhudd1@kommun.example.se,\n", 3),
        ("Email,Minutes\nhudd0@kommun.example.se,5\nhudd1@kommun.example.se\n", 3),
        (f"Email,Minutes\nhudd0@kommun.example.se,5\n{LONG},5\n", 3),
        (f'Email,Minutes\nhudd0@kommun.example.se,5\n"{LONG}",5\n', 3),
    ],
    ids=[
        "inf", "-inf", "Infinity", "nan", "1e400", "400 nines", "1e12", "over a week",
        "negative", "empty", "too few columns", "a 200 000-character field",
        "a quoted 200 000-character field",
    ],
)  # fmt: skip
def test_a_report_it_cannot_read_is_a_message_naming_the_row_and_writes_nothing(
    past_event,
    body,
    row,
):
    w = past_event
    response = post_report(client_of(w["organiser"]), w, body)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The report could not be read" in html
    assert f"Row {row}" in html
    assert marks() == []
    with pytest.raises(InvalidInput, match=f"Row {row}"):
        parse_participant_report(body.encode())


def test_a_readable_report_takes_decimals_with_a_comma_or_a_point():
    body = "E-post;Minuter\na@example.com;12,9\nb@example.com;0\nc@example.com;1e1\n"
    assert parse_participant_report(body.encode()) == [
        (2, "a@example.com", 12), (3, "b@example.com", 0), (4, "c@example.com", 10),
    ]  # fmt: skip
    assert parse_participant_report(f"Email,Minutes\nd@x.se,{MAX_REPORT_MINUTES}\n".encode()) == [
        (2, "d@x.se", MAX_REPORT_MINUTES)
    ]


def test_a_reporting_scope_alone_reads_but_does_not_import(past_event):
    """The organisation's coordinator who may not edit the page sees the list, no import."""
    w = past_event
    coordinator = hr_user(w["botkyrka"], username="hr-botkyrka")
    ReportingScope.objects.get_or_create(user=coordinator, unit=w["botkyrka"])
    assert refused(post_report(client_of(coordinator), w, full_report(w), follow=False))
    assert marks() == []


def test_a_report_over_the_size_limit_is_refused_and_one_at_it_is_read():
    from wagtail_learning.events.services import MAX_REPORT_BYTES

    head = "Email,Minutes\na@example.com,5\n"
    exactly = (head + "\n" * (MAX_REPORT_BYTES - len(head))).encode()
    assert len(exactly) == MAX_REPORT_BYTES
    assert parse_participant_report(exactly) == [(2, "a@example.com", 5)]  # blank rows skipped
    with pytest.raises(InvalidInput, match="too large"):
        parse_participant_report(exactly + b"\n")


@pytest.mark.parametrize("header", ["Email,Namn", "Namn,Minutes", "Namn,Telefon"])
def test_a_report_without_both_columns_says_which_it_needs(header):
    with pytest.raises(InvalidInput, match="email column and a minutes column"):
        parse_participant_report(f"{header}\na@example.com,5\n".encode())


def test_in_a_session_of_a_minute_one_minute_is_enough_and_none_is_not(past_event):
    """Half the session, at least one minute: someone absent from the report never counts
    as present, however short the session."""
    w = past_event
    session = w["session"]
    session.end = session.start + timedelta(minutes=1)
    session.save()
    result = import_participant_report(
        session, data=f"E-post;Minuter\n{w['h1'].email};1\n".encode(), by=w["organiser"]
    )
    assert result.attended == [w["h1"].email]
    assert sorted(result.no_show) == sorted([w["h2"].email, w["b1"].email])
    assert Attendance.objects.get(user=w["h2"]).minutes == 0


@pytest.mark.parametrize("recorded", ["checked in on site", "marked by the organiser"])
def test_the_report_of_a_hybrid_session_does_not_undo_attendance_in_the_room(past_event, recorded):
    """Hanna was in the room (she checked in, or the organiser marked her); the meeting
    tool's report lists only those who joined online. She stays present; Bo, in neither,
    is marked absent."""
    w = past_event
    session = w["session"]
    if recorded == "checked in on site":
        events.check_in(
            w["h1"], session=session, code=session.check_in_code,
            now=session.start + timedelta(minutes=5),
        )  # fmt: skip
    else:
        events.mark_attendance(w["h1"], session=session, attended=True, by=w["organiser"])
    before = Attendance.objects.get(user=w["h1"], session=session)

    result = import_participant_report(
        session, data=f"Email,Minutes\n{w['h2'].email},80\n".encode(), by=w["organiser"]
    )

    hanna = Attendance.objects.get(user=w["h1"], session=session)
    assert (hanna.status, hanna.source) == ("attended", before.source)
    assert w["h1"].email not in result.no_show
    assert events.has_attended(w["h2"], session)
    assert not events.has_attended(w["b1"], session)
    assert w["b1"].email in result.no_show
