"""Attendance in the admin: marking, the meeting tool's report, the participant list by
organisation behind the wall (CSV/XLSX), and the recording's notice to those who missed it."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import LectureFactory, hr_user, org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events.models import EventPage, EventQuestion, RegistrationEntry
from wagtail_learning.org.models import ReportingScope

from .helpers import make_event

pytestmark = pytest.mark.django_db


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(world, name="events_participants", *args):
    return reverse(name, args=[world["event"].pk, *args])


def test_the_organiser_marks_attendance_and_the_history_keeps_it(past_event):
    w = past_event
    client = admin_client(w["organiser"])
    session = w["session"]
    response = client.post(
        url(w),
        {f"att-{w['h1'].pk}-{session.pk}": "attended", f"att-{w['h2'].pk}-{session.pk}": "no_show"},
    )
    assert response.status_code == 302
    assert events.has_attended(w["h1"], session) and not events.has_attended(w["h2"], session)
    assert RegistrationEntry.objects.filter(registration__user=w["h2"], action="no_show").exists()
    page = client.get(url(w)).content.decode()
    assert "hudd0" in page and "bot0" in page  # the organiser sees every organisation


def test_another_organisations_coordinator_sees_only_their_own_people(past_event):
    w = past_event
    hr = hr_user(w["botkyrka"], username="hr-botkyrka")
    client = admin_client(hr)
    html = client.get(url(w)).content.decode()
    assert "bot0@" in html and "hudd" not in html
    csv_body = exported(client.get(url(w) + "?export=csv")).decode("utf-8-sig")
    assert "bot0@" in csv_body and "hudd" not in csv_body
    xlsx = exported(client.get(url(w) + "?export=xlsx"))
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        text = b"".join(archive.read(n) for n in archive.namelist()).decode()
    assert "bot0@" in text and "hudd" not in text
    # Not an organiser: cannot mark, import or cancel.
    session = w["session"]
    refused = client.post(url(w), {f"att-{w['b1'].pk}-{session.pk}": "attended"})
    assert refused.status_code in (302, 403) and refused.get("Location", "/admin/") == "/admin/"
    assert not events.has_attended(w["b1"], session)
    assert client.post(url(w, "events_cancel")).status_code in (302, 403)
    assert events.Registration.objects.filter(status="registered").count() == 3


def test_someone_with_neither_scope_nor_edit_rights_is_refused(past_event):
    from tests.factories import UserFactory

    stranger = UserFactory(is_staff=True)
    assert admin_client(stranger).get(url(past_event)).status_code in (302, 403)


def report(text: str, name="deltagare.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_the_meeting_tools_report_marks_attendance_and_shows_unmatched_rows(past_event):
    w = past_event
    client = admin_client(w["organiser"])
    body = (
        "Namn;E-post;Minuter\n"
        f"Hanna;{w['h1'].email.upper()};80\n"
        "Gäst;gast@example.com;90\n"
        f"Bo;{w['b1'].email};10\n"
    )
    response = client.post(
        url(w, "events_import_report", w["session"].pk), {"report": report(body)}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "gast@example.com" in html  # unmatched, shown
    assert events.has_attended(w["h1"], w["session"])
    assert not events.has_attended(w["b1"], w["session"])  # 10 of 90 minutes
    assert not events.has_attended(w["h2"], w["session"])  # not in the report


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02PK\x03\x04 binary",
        b"Namn,Telefon\nHanna,123\n",
        b"Email,Minutes\nhudd0@kommun.example.se,many\n",
        b"",
    ],
)
def test_a_bad_report_gets_a_clear_message_never_an_error(past_event, content):
    w = past_event
    client = admin_client(w["organiser"])
    response = client.post(
        url(w, "events_import_report", w["session"].pk),
        {"report": SimpleUploadedFile("x.csv", content)},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "could not be read" in html
        or "kunde inte läsas" in html
        or "Choose" in html
        or ("Välj" in html)
    )


def test_attaching_the_recording_tells_those_who_did_not_attend(
    past_event, smtp, django_capture_on_commit_callbacks
):
    w = past_event
    events.mark_attendance(w["h1"], session=w["session"], attended=True)
    page = EventPage.objects.get(pk=w["event"].pk)
    sessions = list(page.sessions.all())
    sessions[0].recording = LectureFactory(title="Inspelning")
    page.sessions = sessions
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    told = sorted(m["To"] for m in smtp.messages)
    assert told == sorted([w["h2"].email, w["b1"].email])
    with django_capture_on_commit_callbacks(execute=True):
        EventPage.objects.get(pk=page.pk).save_revision().publish()
    assert len(smtp.messages) == 2  # once per person and session


def exported(response) -> bytes:
    """The body of a streamed export."""
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_export_never_turns_an_answer_into_a_formula(past_event):
    w = past_event
    registration = events.Registration.objects.get(user=w["h1"])
    question = EventQuestion.objects.create(page=w["event"], label="Specialkost", required=False)
    registration.answers = {str(question.key): '=HYPERLINK("http://evil.example","x")'}
    registration.save()
    client = admin_client(w["organiser"])
    csv_body = exported(client.get(url(w) + "?export=csv")).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_body
    xlsx = exported(client.get(url(w) + "?export=xlsx"))
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


def test_a_coordinator_finds_each_event_from_the_hr_menu_with_their_own_people_counted(
    past_event,
):
    w = past_event
    hr = hr_user(w["botkyrka"], username="hr-botkyrka")
    client = admin_client(hr)
    assert reverse("events_index") in client.get("/admin/").content.decode()

    html = client.get(reverse("events_index")).content.decode()
    assert w["event"].title in html and url(w) in html
    row = html[html.index(url(w)) : html.index("</tr>", html.index(url(w)))]
    assert "<td>1</td>" in row  # Botkyrka's one participant, not Huddinge's two
    assert reverse("wagtailadmin_pages:edit", args=[w["event"].pk]) not in row

    organiser = admin_client(w["organiser"]).get(reverse("events_index")).content.decode()
    row = organiser[organiser.index(url(w)) : organiser.index("</tr>", organiser.index(url(w)))]
    assert "<td>3</td>" in row  # the organiser counts everyone
    assert reverse("wagtailadmin_pages:edit", args=[w["event"].pk]) in row


def test_the_events_list_is_refused_to_staff_without_scope_or_events(past_event):
    from tests.factories import UserFactory

    stranger = UserFactory(is_staff=True)
    assert admin_client(stranger).get(reverse("events_index")).status_code in (302, 403)
    assert reverse("events_index") not in admin_client(stranger).get("/admin/").content.decode()


def test_an_organiser_without_a_scope_lists_events_in_queries_independent_of_the_events(
    past_event,
):
    """Staff who may edit one event (and coordinate nothing) find the list: asked of the
    page permission policy at once, not event by event."""
    from tests.factories import UserFactory
    from wagtail_learning.events.admin_views import may_list_events

    w = past_event
    ReportingScope.objects.filter(user=w["organiser"]).delete()
    for n in range(5):
        make_event(title=f"Fler {n}")
    assert admin_client(w["organiser"]).get(reverse("events_index")).status_code == 200

    stranger = UserFactory(is_staff=True)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for user in (w["organiser"], stranger):
        with CaptureQueriesContext(connection) as queries:
            may_list_events(user)
        counts.append(len(queries))
    assert may_list_events(w["organiser"]) and not may_list_events(stranger)
    # the scope, the user's page permissions, the editable events (none to ask for the
    # stranger); was a workflow query per event for the stranger (9 with these 7 events)
    assert counts == [3, 2]


def test_the_events_list_costs_the_same_with_one_event_and_six():
    """Whether the reader organises each event is asked of their page permissions, read
    once, not of each event (a page's can_edit asked each event for its workflow)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = admin_client(hr_user(org_unit("Botkyrka kommun"), username="hr-lista"))

    def queries() -> int:
        client.get(reverse("events_index"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("events_index")).status_code == 200
        return len(captured)

    make_event(title="Första")
    one = queries()
    for n in range(5):
        make_event(title=f"Fler {n}")
    assert queries() == one  # was 2 more an event


def test_the_export_neutralises_a_tab_or_carriage_return_before_a_formula(past_event):
    """Spreadsheets strip a leading tab or CR and run what follows (issue 21: the events
    export neutralised = + - @ only, hr's export all six)."""
    w = past_event
    question = EventQuestion.objects.create(page=w["event"], label="Övrigt", required=False)
    for user, answer in ((w["h1"], "\t=1+1"), (w["h2"], "\r=2+2")):
        registration = events.Registration.objects.get(user=user)
        registration.answers = {str(question.key): answer}
        registration.save()
    client = admin_client(w["organiser"])

    csv_body = exported(client.get(url(w) + "?export=csv")).decode("utf-8-sig")

    assert "'\t=1+1" in csv_body and "'\r=2+2" in csv_body
