"""The calendar's secret address is readable in its field: the whole address shows, no part
of it hidden behind the field's edge (the demo's field showed a third of it)."""

import pytest

from tests.factories import UserFactory, site_home
from wagtail_learning.events.models import CalendarFeed

from .test_narrow_screens import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_whole_secret_address_shows_in_its_field(live_server, browser_page):
    site_home()
    person = UserFactory(username="lena", first_name="Lena")
    CalendarFeed.objects.create(user=person)
    page = browser_page

    log_in(page, live_server, person, "/kalender/")

    field = page.locator("#feed-url")
    address = field.input_value()
    assert "/kalender/" in address and len(address) > 60
    fits = field.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert fits, field.evaluate("el => [el.scrollWidth, el.clientWidth]")
