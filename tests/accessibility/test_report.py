"""Reporting a barrier: anyone may, the report is stored, the reporter gets a receipt, the
organisation's contact a copy; bad input is a 400 with a message, a flood a 429."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory, site_home
from wagtail_learning.accessibility.api import BarrierReport, ReportStatus, get_statement

pytestmark = pytest.mark.django_db

URL = "/tillganglighet/rapportera/"
CONTACT = "tillganglighet@huddinge.example.se"


@pytest.fixture
def statement():
    site_home()
    statement = get_statement()
    statement.organisation_name = "Huddinge kommun"
    statement.contact_email = CONTACT
    statement.response_time = "Vi svarar inom fem arbetsdagar."
    statement.save()
    return statement


def send(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(URL, data)


def test_the_url_is_the_one_the_footer_links():
    assert reverse("accessibility:report") == URL


def test_a_visitor_reports_a_barrier_and_both_sides_hear_of_it(
    client, statement, mailoutbox, django_capture_on_commit_callbacks
):
    response = send(
        client,
        django_capture_on_commit_callbacks,
        page_url="/kurser/jamlik-styrning/",
        description="Knappen Spela upp går inte att nå med tabb.",
        contact_name="Sara Nilsson",
        contact_email="Sara.Nilsson@example.se",
    )

    assert response.status_code == 302
    report = BarrierReport.objects.get()
    assert (report.page_url, report.status) == ("/kurser/jamlik-styrning/", ReportStatus.NEW)
    assert report.contact_email == "sara.nilsson@example.se"
    receipt = client.get(response["Location"]).content.decode()
    assert f"Ärendet har nummer {report.pk}." in receipt
    assert "En bekräftelse är på väg till e-postadressen du angav." in receipt

    to_reporter, to_contact = sorted(mailoutbox, key=lambda m: m.to != [report.contact_email])
    assert to_reporter.to == ["sara.nilsson@example.se"]
    assert to_reporter.subject == "Vi har tagit emot din rapport om en tillgänglighetsbrist"
    assert to_reporter.reply_to == [CONTACT]
    assert "Knappen Spela upp går inte att nå med tabb." in to_reporter.body
    assert "Vi svarar inom fem arbetsdagar." in to_reporter.body
    assert "https://www.digg.se/tdosanmalan" in to_reporter.body
    assert to_contact.to == [CONTACT]
    assert to_contact.reply_to == ["sara.nilsson@example.se"]
    assert "Knappen Spela upp går inte att nå med tabb." in to_contact.body
    assert "/kurser/jamlik-styrning/" in to_contact.body
    assert f"/admin/accessibility/reports/edit/{report.pk}/" in to_contact.body


def test_an_anonymous_report_reaches_the_contact_only(
    client, statement, mailoutbox, django_capture_on_commit_callbacks
):
    response = send(
        client, django_capture_on_commit_callbacks, description="Kontrasten är för svag."
    )

    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[CONTACT]]
    assert "anonym (ingen adress angiven)" in mailoutbox[0].body
    receipt = client.get(response["Location"]).content.decode()
    assert "Du angav ingen e-postadress" in receipt


def test_a_signed_in_person_is_offered_their_own_name_and_address(client, statement):
    client.force_login(UserFactory(first_name="Omar", last_name="Haddad", email="omar@k.se"))

    form = client.get(URL, {"sida": "/kurser/"}).content.decode()

    assert 'value="omar@k.se"' in form
    assert 'value="Omar Haddad"' in form
    assert 'value="/kurser/"' in form


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"description": "   "}, "Beskriv hindret du stötte på."),
        ({}, "Beskriv hindret du stötte på."),
        (
            {"description": "x", "contact_email": "inte en adress"},
            "Ange en e-postadress som namn@exempel.se.",
        ),
        (
            {"description": "x", "page_url": "https://elak.example.com/"},
            "Ange adressen till en sida på den här webbplatsen, till exempel /kurser/.",
        ),
        (
            {"description": "x", "page_url": "//elak.example.com/"},
            "Ange adressen till en sida på den här webbplatsen, till exempel /kurser/.",
        ),
        ({"description": "x" * 5001}, "Håll beskrivningen inom 5000 tecken."),
    ],
    ids=["blank", "missing", "bad address", "another site", "protocol-relative", "too long"],
)
def test_bad_input_is_a_400_with_a_message_and_nothing_is_stored(
    client, statement, mailoutbox, django_capture_on_commit_callbacks, data, message
):
    response = send(client, django_capture_on_commit_callbacks, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BarrierReport.objects.exists()
    assert mailoutbox == []


def test_a_full_address_on_this_site_is_kept_as_its_path(
    client, statement, django_capture_on_commit_callbacks
):
    send(
        client,
        django_capture_on_commit_callbacks,
        description="Rubrikerna hoppar över en nivå.",
        page_url="http://testserver/kurser/?sida=2",
    )

    assert BarrierReport.objects.get().page_url == "/kurser/?sida=2"


def test_a_flood_from_one_connection_is_refused_with_a_429_and_when_to_try_again(
    client, statement, settings, django_capture_on_commit_callbacks
):
    settings.LMS_BARRIER_REPORTS_PER_HOUR = 2
    for n in range(2):
        assert (
            send(client, django_capture_on_commit_callbacks, description=f"Fel {n}").status_code
            == 302
        )

    response = send(client, django_capture_on_commit_callbacks, description="Fel 3")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "För många rapporter från din anslutning." in response.content.decode()
    assert BarrierReport.objects.count() == 2


def test_without_a_contact_address_the_report_is_kept_for_the_admin(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    site_home()

    send(client, django_capture_on_commit_callbacks, description="Inga bildtexter.")

    assert BarrierReport.objects.count() == 1
    assert mailoutbox == []
