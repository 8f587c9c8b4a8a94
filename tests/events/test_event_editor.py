"""The event editor for an organiser who is not a superuser: the organisation choices stop
at the wall on every way into the form, an old revision and a draft included."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import editor_of, org_unit
from wagtail_learning.events.models import EventPage
from wagtail_learning.org.models import ReportingScope

from .helpers import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def organised():
    """An event of Länsstyrelsen open to Huddinge, its first revision named, then renamed
    and published; its organiser coordinates Länsstyrelsen and edits the page."""
    huddinge = org_unit("Huddinge kommun")
    organiser_org = org_unit("Länsstyrelsen i Uppsala län")
    org_unit("Solna stad")  # another municipality: never offered to this organiser
    event = make_event(organisers=[organiser_org], audience_organisations=[huddinge])
    first = event.save_revision()
    event.title = "Nytt namn"
    event.save_revision().publish()
    organiser = editor_of(event, username="organisator")
    ReportingScope.objects.create(user=organiser, unit=organiser_org)
    client = Client()
    client.force_login(organiser)
    return {"event": event, "first": first, "client": client}


def test_an_organiser_reverts_to_an_earlier_revision(organised):
    event, first, client = organised["event"], organised["first"], organised["client"]
    url = reverse("wagtailadmin_pages:revisions_revert", args=[event.pk, first.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Länsstyrelsen i Uppsala län" in html  # the page's own organisers, chosen
    assert "Huddinge kommun" in html  # the audience the revision names
    assert "Solna stad" not in html  # the wall: no other organisation is offered


def test_an_organiser_edits_an_event_with_an_unpublished_draft(organised):
    event, client = organised["event"], organised["client"]
    page = EventPage.objects.get(pk=event.pk)
    page.title = "Ett utkast"
    page.save_revision()  # a draft: the editor opens the draft, not the live page
    response = client.get(reverse("wagtailadmin_pages:edit", args=[event.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ett utkast" in html and "Solna stad" not in html
