"""A fair waitlist in a real browser (issue 21): one seat; Anna takes it, Cecilia and Bo
join the line and see their places; Cecilia leaves and comes back, behind Bo; the organiser
sees the line in order in the admin, raises the seats in the editor and publishes: Bo gets
the seat at once (his page says so, and the mail with the calendar invitation is sent);
Anna cancels and Cecilia gets hers."""

import re

import pytest
from django.core import mail
from wagtail.models import GroupPagePermission

from tests.browser.test_event_journey import log_in
from tests.events.helpers import make_event
from tests.factories import (
    UserFactory,
    org_unit,
    root_collection,
    staff_member,
    tree_root,
)
from wagtail_learning.events.models import Registration
from wagtail_learning.org.models import ReportingScope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = 60_000  # an admin publish on a busy two-core machine


def organiser_of(event, organisation):
    """An editor (not a superuser) who may edit and publish the event page and who
    coordinates its organising organisation: they run the event."""
    from django.contrib.auth.models import Group, Permission

    user = UserFactory(username="organisator", first_name="Olle", last_name="Organisatör")
    group = Group.objects.create(name="Evenemangsredaktörer")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for permission_type in ("change", "publish"):
        GroupPagePermission.objects.create(group=group, page=event, permission_type=permission_type)
    user.groups.add(group)
    ReportingScope.objects.create(user=user, unit=organisation)
    return user


def status_line(tab) -> str:
    return tab.locator("[data-registration-status]").inner_text()


def register(tab, base, user, url, expect: str):
    log_in(tab, base, user, url)
    tab.click("button[data-register]")
    tab.wait_for_selector(f"[data-registration-status={expect}]")


def test_the_line_is_fair_from_joining_to_promotion(live_server, browser_page):
    tab = browser_page
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    server_errors: list[str] = []
    tab.on("response", lambda r: server_errors.append(r.url) if r.status >= 500 else None)
    tree_root()  # a transactional test before this one flushed the migrations' rows
    root_collection()
    base = live_server.url
    unit = org_unit("Botkyrka kommun")
    anna, bo, cecilia = (
        staff_member(unit, username=name.lower(), first_name=name, last_name="Svensson",
                     email=f"{name.lower()}@botkyrka.example.se")
        for name in ("Anna", "Bo", "Cecilia")
    )  # fmt: skip
    arranger = org_unit("Interkulturella Städer Sverige")
    event = make_event(seats=1, title="Nätverksträff", organisers=[arranger])
    organiser = organiser_of(event, arranger)

    register(tab, base, anna, event.url, "registered")
    register(tab, base, cecilia, event.url, "waitlisted")
    assert "nummer 1 i kön" in status_line(tab)
    register(tab, base, bo, event.url, "waitlisted")
    assert "nummer 2 i kön" in status_line(tab)

    # Cecilia leaves the line and comes back: she is behind Bo now.
    log_in(tab, base, cecilia, event.url)
    tab.click("button[data-cancel-registration]")
    tab.wait_for_selector("button[data-register]")
    tab.click("button[data-register]")
    tab.wait_for_selector("[data-registration-status=waitlisted]")
    assert "nummer 2 i kön" in status_line(tab)
    log_in(tab, base, bo, event.url)
    assert "nummer 1 i kön" in status_line(tab)

    # The organiser's participant list: the line in its order, with the places.
    log_in(tab, base, organiser, f"/admin/events/{event.pk}/participants/")
    rows = tab.locator("table.listing tbody tr")
    listed = [rows.nth(i).inner_text() for i in range(rows.count())]
    in_line = [row for row in listed if "Väntelista" in row]
    assert len(in_line) == 2
    assert "Bo Svensson" in in_line[0] and "Väntelista, plats 1" in in_line[0]
    assert "Cecilia Svensson" in in_line[1] and "Väntelista, plats 2" in in_line[1]
    assert "1 av 1 plats tagen, 2 på väntelistan" in tab.locator("main").inner_text()

    # The organiser raises the seats in the editor and publishes, as an editor does.
    mail.outbox.clear()
    tab.goto(f"{base}/admin/pages/{event.pk}/edit/")
    tab.fill("input[name=seats]", "2")
    tab.locator("footer .w-dropdown-button .w-dropdown__toggle").click()
    tab.locator("button[name=action-publish]").click()
    tab.wait_for_url(re.compile(r".*/admin/pages/\d+/$"), timeout=SAVED)
    assert Registration.objects.get(user=bo, event=event).status == "registered"
    to_bo = [m for m in mail.outbox if m.to == [bo.email]]
    assert len(to_bo) == 1
    assert "Du har fått en plats" in to_bo[0].subject
    parts = {part.get_content_type(): part for part in to_bo[0].message().walk()}
    assert "text/calendar" in parts
    assert "METHOD:REQUEST" in parts["text/calendar"].get_payload(decode=True).decode()
    assert not [m for m in mail.outbox if m.to == [cecilia.email]]

    log_in(tab, base, bo, event.url)
    tab.wait_for_selector("[data-registration-status=registered]")
    log_in(tab, base, cecilia, event.url)
    assert "nummer 1 i kön" in status_line(tab)

    # Anna gives up her seat: Cecilia, first in line now, gets it.
    log_in(tab, base, anna, event.url)
    tab.click("button[data-cancel-registration]")
    tab.wait_for_selector("button[data-register]")
    log_in(tab, base, cecilia, event.url)
    tab.wait_for_selector("[data-registration-status=registered]")
    assert [m.subject for m in mail.outbox if m.to == [cecilia.email]] == [
        "Du har fått en plats: Nätverksträff"
    ]
    assert errors == [] and server_errors == []
