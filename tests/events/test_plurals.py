"""As met on the demo: the organiser read "1 markeringar" and "1 av 1 platser tagna".
Counted words agree with their number in Swedish."""

import pytest
from django.test import Client
from django.urls import reverse

from wagtail_learning.events.models import EventPage

pytestmark = pytest.mark.django_db


def test_one_mark_and_one_seat_read_in_the_singular(past_event):
    w = past_event
    EventPage.objects.filter(pk=w["event"].pk).update(seats=1)
    client = Client()
    client.force_login(w["organiser"])
    session = w["session"]

    response = client.post(
        reverse("events_participants", args=[w["event"].pk]),
        {f"att-{w['h1'].pk}-{session.pk}": "attended"},
        follow=True,
    )
    html = response.content.decode()

    assert "Närvaron är sparad (1 markering)." in html
    assert "av 1 plats tagen" in html and "platser tagna" not in html
