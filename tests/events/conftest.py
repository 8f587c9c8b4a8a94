import email
import email.policy
import socket
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from tests.factories import editor_of, org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events.models import EventPage
from wagtail_learning.org.models import ReportingScope

from .helpers import make_event, people


@dataclass
class Inbox:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free local port; Django sends to it over SMTP."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def past_event():
    """A 90-minute session that ended yesterday; two people of Huddinge, one of Botkyrka,
    all registered (registered before the session, as they would have been)."""
    huddinge, botkyrka = org_unit("Huddinge kommun"), org_unit("Botkyrka kommun")
    organiser_org = org_unit("Länsstyrelsen i Uppsala län")
    event = make_event(organisers=[organiser_org], seats=10)
    h1, h2 = people(huddinge, 2, prefix="hudd")
    (b1,) = people(botkyrka, 1, prefix="bot")
    for person in (h1, h2, b1):
        events.register(person, event=event)
    page = EventPage.objects.get(pk=event.pk)
    sessions = list(page.sessions.all())
    sessions[0].start -= timedelta(days=11)
    sessions[0].end -= timedelta(days=11)
    page.sessions = sessions
    page.save_revision().publish()
    organiser = editor_of(event, username="organisator")
    ReportingScope.objects.create(user=organiser, unit=organiser_org)
    return {
        "event": event, "session": page.sessions.get(), "h1": h1, "h2": h2, "b1": b1,
        "huddinge": huddinge, "botkyrka": botkyrka, "organiser": organiser,
    }  # fmt: skip
