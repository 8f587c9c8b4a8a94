"""As met on the demo: the event page said what registering would do only after the
click. A staff-only event offered an external participant the register button; a person
whose organisation's quota was full read "Platser kvar 2 / 10" and "Registrera dig" and
landed in line; a person in line read the registered participants' cut-off. The page now
asks the rules of events.services before it offers anything."""

from datetime import timedelta

import pytest

from tests.factories import org_unit, staff_member
from wagtail_learning.events import api as events
from wagtail_learning.events.models import Registration

from .helpers import make_event, people

pytestmark = pytest.mark.django_db


def test_a_staff_only_event_tells_an_external_participant_before_the_click(client):
    event = make_event(audience_staff=True, audience_external=False, seats=10)
    guest = staff_member(org_unit("Huddinge kommun"), username="gast", external=True)
    client.force_login(guest)

    html = client.get(event.url).content.decode()

    assert "Evenemanget är endast för anställda, inte för externa deltagare." in html
    assert "data-register" not in html


def test_a_full_quota_is_said_before_registering(client):
    huddinge = org_unit("Huddinge kommun")
    event = make_event(seats=10, quotas=[(huddinge, 2)])
    first, second, third = people(huddinge, 3, prefix="hudd")
    for person in (first, second):
        events.register(person, event=event)
    client.force_login(third)

    html = client.get(event.url).content.decode()

    assert "Din organisations platser är tagna" in html
    assert "Ställ dig på väntelistan" in html
    # Someone of another organisation is still offered a seat.
    client.force_login(people(org_unit("Botkyrka kommun"), 1, prefix="bot")[0])
    other = client.get(event.url).content.decode()
    assert "Din organisations platser är tagna" not in other
    assert "Registrera dig" in other


def test_a_person_in_line_is_told_they_can_leave_it_at_any_time(client):
    event = make_event(seats=1, cancellation_cutoff_hours=48, starts_in=timedelta(days=10))
    holder, waiting = people(org_unit("Huddinge kommun"), 2, prefix="hudd")
    events.register(holder, event=event)
    events.register(waiting, event=event)
    assert Registration.objects.get(user=waiting).status == "waitlisted"
    client.force_login(waiting)

    html = client.get(event.url).content.decode()

    assert "Du kan avanmäla dig här fram till" not in html
    assert "Du kan lämna kön när du vill." in html
    client.force_login(holder)
    assert "Du kan avanmäla dig här fram till" in client.get(event.url).content.decode()
