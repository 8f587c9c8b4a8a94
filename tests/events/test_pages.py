"""What a person reads on the calendar and on an event's page: upcoming apart from past,
dates in their language, and a held event that reads as a record, not an open sign-up."""

from datetime import timedelta

import pytest
from django.utils import translation

from tests.factories import org_unit, staff_member
from wagtail_learning.events import api as events

from .helpers import events_index, make_event

pytestmark = pytest.mark.django_db


def section(html: str, heading: str) -> str:
    """The part of the page from `heading` to the next h2."""
    start = html.index(heading)
    end = html.find("<h2", start + 1)
    return html[start : end if end != -1 else len(html)]


def test_the_calendar_shows_upcoming_events_apart_from_past_ones(client):
    make_event(title="Nätverksträff i vår", starts_in=timedelta(days=12))
    make_event(title="Förra årets träff", starts_in=timedelta(days=-300))
    html = client.get(events_index().url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()

    assert "Nätverksträff i vår" in section(html, "Kommande")
    assert "Förra årets träff" not in section(html, "Kommande")
    assert "Förra årets träff" in section(html, "Tidigare evenemang")


def test_with_nothing_ahead_the_calendar_says_so_and_still_lists_the_past(client):
    make_event(title="Förra årets träff", starts_in=timedelta(days=-300))
    html = client.get(events_index().url).content.decode()
    assert "Inga kommande evenemang just nu." in html
    assert "Förra årets träff" in section(html, "Tidigare evenemang")


def test_a_session_reads_in_the_readers_language_on_the_stockholm_clock():
    event = make_event(starts_in=timedelta(days=3))
    session = event.sessions.get()
    session.start = session.start.replace(year=2027, month=9, day=30, hour=7, minute=0)
    session.end = session.start + timedelta(hours=3)  # 07:00 UTC is 09:00 in summer time
    with translation.override("sv"):
        assert session.label == "30 september 2027, 09:00–12:00"
    with translation.override("en"):
        assert session.label.startswith("Sept. 30, 2027")


def test_a_held_event_says_it_took_place_and_offers_no_registration(client):
    event = make_event(starts_in=timedelta(days=-10), seats=30)
    member = staff_member(org_unit("Huddinge kommun"))
    client.force_login(member)
    html = client.get(event.url).content.decode()

    assert "Evenemanget har ägt rum." in html
    assert "Platser kvar" not in html
    assert "data-register" not in html and "data-cancel-registration" not in html


def test_a_registered_person_is_not_offered_to_cancel_once_the_event_is_over(client):
    event = make_event(starts_in=timedelta(hours=2), seats=30)
    member = staff_member(org_unit("Huddinge kommun"))
    events.register(member, event=event)
    session = event.sessions.get()
    session.start -= timedelta(days=2)
    session.end -= timedelta(days=2)
    session.save()
    client.force_login(member)
    html = client.get(event.url).content.decode()

    assert "Evenemanget har ägt rum." in html
    assert "data-cancel-registration" not in html


def nav_links(client) -> list[str]:
    html = client.get("/").content.decode()
    nav = html[html.index('class="site-nav"') : html.index("</nav>")]
    return nav


def test_the_navigation_leads_to_the_calendar_until_it_is_unpublished(client):
    calendar = events_index()
    assert f'href="{calendar.url}"' in nav_links(client)

    calendar.unpublish()
    assert f'href="{calendar.url}"' not in nav_links(client)

    calendar.save_revision().publish()
    assert f'href="{calendar.url}"' in nav_links(client)


def test_the_calendar_link_costs_no_query_once_known(rf, django_assert_num_queries):
    from django.template import Context, Template

    events_index()
    tag = Template("{% load events_tags %}{% events_calendar_url %}")
    assert tag.render(Context({})) == "/evenemang/"
    with django_assert_num_queries(0):
        assert tag.render(Context({})) == "/evenemang/"


def test_an_editor_previews_the_event_with_its_unsaved_seats_and_sessions():
    """The preview is the page the views serve (they, not the model, own what it shows)."""
    event = make_event(starts_in=timedelta(days=12), seats=30)
    event.seats = 12  # changed in the editor, not saved
    with translation.override("sv"):
        response = event.make_preview_request()
        html = response.render().content.decode()

    assert response.status_code == 200
    assert "data-seats-left>12 / 12<" in html
    assert f'data-session-id="{event.sessions.get().pk}"' in html


def test_an_editor_previews_the_calendar_with_its_events():
    make_event(title="Nätverksträff i vår", starts_in=timedelta(days=12))
    make_event(title="Förra årets träff", starts_in=timedelta(days=-300))
    with translation.override("sv"):
        html = events_index().make_preview_request().render().content.decode()

    assert "Nätverksträff i vår" in section(html, "Kommande")
    assert "Förra årets träff" in section(html, "Tidigare evenemang")


def test_the_sessions_times_say_svensk_tid_not_the_zone_databases_name(client):
    event = make_event()

    html = client.get(event.url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()

    assert "(svensk tid)" in html
    assert "Europe/Stockholm" not in html
