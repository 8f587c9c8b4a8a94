"""The events of the demo (issue 11), from the seeds: the hybrid meeting "Att göra
interkulturellt" (past, attendance recorded, recording attached), the county boards'
network meeting (upcoming: a few seats left and a waitlist) and the minorities lecture
series given live in three sessions whose recordings are the series' lectures.

Idempotent: pages are found by slug, organisations by name, registrations are one per
person and event. No mail leaves the demo: its people are fictional.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from home.models import HomePage
from wagtail_learning.events import api as events
from wagtail_learning.modules.models import Lecture
from wagtail_learning.org.api import LearnerProfile, Organisation

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)


def _organisation(name: str, kind: str) -> Organisation:
    found = Organisation.get_root_nodes().filter(name=name).first()
    return found or Organisation.add_root(name=name, kind=kind)


def _people(municipality: str, count: int, *, offset: int = 0) -> list:
    root = Organisation.get_root_nodes().filter(name=municipality).first()
    if root is None:
        return []
    profiles = (
        LearnerProfile.objects.filter(unit__path__startswith=root.path, kind="staff")
        .exclude(user__username__in=["learner", "hr", "hr2", "editor", "admin"])
        .select_related("user")
        .order_by("employee_number")
    )
    return [p.user for p in profiles[offset : offset + count]]


def _index(home: HomePage):
    index = events.EventIndexPage.objects.child_of(home).first()
    if index is None:
        index = events.EventIndexPage(
            title="Evenemang",
            slug="evenemang",
            intro="<p>Träffar, nätverksmöten och föreläsningar: live, på plats eller digitalt.</p>",
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


_CREATED: dict[str, bool] = {}


def _event(parent, slug: str, build) -> tuple[events.EventPage, bool]:
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        _CREATED[existing.title] = False
        return existing.specific, False
    page = build()
    page.slug = slug
    parent.add_child(instance=page)
    page.save_revision().publish()
    _CREATED[page.title] = True
    return events.EventPage.objects.get(pk=page.pk), True


def _recording_copy(source: Lecture, title: str) -> Lecture:
    """The meeting's recording in the library: the demo reuses a demo video and its
    captions (the files are shared, not copied)."""
    found = Lecture.objects.filter(title=title).first()
    if found is not None:
        return found
    lecture = Lecture(
        title=title,
        description="Inspelning av den gemensamma delen av träffen (demo: en demovideo).",
        video=source.video.name,
        poster=source.poster,
        duration=source.duration,
        speakers="Helena Rojas, Karianne Stensrud, Johanna Palmstierna",
        organiser="Interkulturella Städer Sverige",
        recorded_on=dt.date(2026, 9, 12),
    )
    lecture.save()
    for child in [*source.caption_tracks.all(), *source.chapters.all()]:
        child.pk = None
        child.lecture = lecture
        child.save()
    return lecture


INTERKULTURELLT_PROGRAMME = (
    "<p>Utifrån höstens tema, interkulturellt ledarskap och barnrätt, djupdyker vi i:</p><ul>"
    "<li>Vad är kopplingen mellan barnrätt och interkulturellt ledarskap?</li>"
    "<li>Hur kan det interkulturella förhållningssättet bidra till att förbättra social- och "
    "utbildningsförvaltningens bemötande, bedömning och narrativ kring barn och ungas "
    "rättigheter och behov?</li>"
    "<li>Hur påverkas barn och unga om vi skiftar fokus från jämlikhet till likvärdighet?</li>"
    "</ul><h3>Program</h3><ul>"
    "<li>Introduktion med Helena Rojas, Karianne Stensrud och Johanna Palmstierna</li>"
    "<li>Fallstudie med Antidiskrimineringsbyrån Syd</li>"
    "<li>Samtal med Natsnet Kiflemariam, barnombudsman, Botkyrka kommun</li>"
    "<li>Diskussioner i break-out rooms</li></ul>"
    "<p>Första timmen träffas alla gemensamt på Zoom; sista halvtimmen är frivillig och avsatt "
    "för reflektion och nätverkande – online eller på plats tillsammans med kollegor.</p>"
)


def seed_interkulturellt(index, botkyrka) -> events.EventPage:
    day = dt.date(2026, 9, 12)
    network = _organisation("Interkulturella Städer Sverige", "association")
    linkoping = _organisation("Linköpings kommun", "municipality")

    def build():
        page = events.EventPage(
            title="Välkommen på kollegialt utbyte: Att göra interkulturellt",
            summary="Interkulturellt ledarskap och barnrätt: implementering i kommun och "
            "civilsamhälle. Hybridträff, kostnadsfri, begränsat antal platser.",
            programme=INTERKULTURELLT_PROGRAMME,
            speakers="Helena Rojas, människorättsstrateg, Botkyrka kommun\n"
            "Karianne Stensrud, kvalitetschef, Botkyrka kommun\n"
            "Johanna Palmstierna, utvecklingsledare, Linköpings kommun\n"
            "Antidiskrimineringsbyrån Syd\n"
            "Natsnet Kiflemariam, barnombudsman, Botkyrka kommun",
            moderator="Evelina Lundqvist",
            format=events.EventPage.Format.HYBRID,
            venue="Zoom, eller på plats tillsammans med kollegor (sista halvtimmen)",
            meeting_url="https://zoom.us/j/83012345678?pwd=demo",
            audience_description="Medarbetare i kommun och civilsamhälle som arbetar med barn "
            "och unga, inom utbildning och sociala frågor.",
            audience_staff=True,
            audience_external=True,
            registration_required=True,
            seats=30,
            registration_deadline=_at(day - dt.timedelta(days=5), 23, 59),
            cancellation_cutoff_hours=24,
        )
        page.sessions = [events.EventSession(start=_at(day, 14, 30), end=_at(day, 16, 0))]
        page.questions = [
            events.EventQuestion(label="Deltar du online eller på plats?", required=True),
            events.EventQuestion(label="Specialkost (om du deltar på plats)", required=False),
        ]
        page.organisers = [network, linkoping, botkyrka]
        return page

    event, created = _event(index, "att-gora-interkulturellt", build)
    if created:
        questions = list(event.questions.all())
        before = _at(day - dt.timedelta(days=10), 10)
        people = _people("Botkyrka kommun", 5) + _people("Huddinge kommun", 4)
        for number, person in enumerate(people):
            answers = {str(questions[0].key): "På plats" if number % 3 == 0 else "Online"}
            events.register(person, event=event, answers=answers, now=before)
        session = event.sessions.get()
        for number, person in enumerate(people):
            events.mark_attendance(person, session=session, attended=number not in (2, 6))
        source = Lecture.objects.filter(title="Normkritik i vardagen").first()
        if source is not None:
            page = events.EventPage.objects.get(pk=event.pk)
            sessions = list(page.sessions.all())
            sessions[0].recording = _recording_copy(
                source, "Inspelning: Att göra interkulturellt (12 september)"
            )
            page.sessions = sessions
            page.save_revision().publish()
    return event


def seed_network_meeting(index) -> events.EventPage:
    today = timezone.localdate()
    day = dt.date(today.year, 9, 30)
    if day <= today:
        day = dt.date(today.year + 1, 9, 30)
    boards = [
        _organisation(f"Länsstyrelsen i {county}", "region")
        for county in ("Uppsala län", "Västmanlands län", "Örebro län")
    ]
    huddinge = Organisation.get_root_nodes().filter(name="Huddinge kommun").first()
    botkyrka = Organisation.get_root_nodes().filter(name="Botkyrka kommun").first()

    def build():
        page = events.EventPage(
            title="Perspektivträngsel eller perspektivumgänge?",
            summary="Länsstyrelserna i Uppsala, Västmanland och Örebro län bjuder in till en "
            "gemensam digital nätverksträff om att integrera fler sociala "
            "hållbarhetsperspektiv i kommunens verksamheter.",
            programme="<p>Föreläsning och workshop med Gertrud Åström, expert i sociala "
            "hållbarhetsfrågor.</p><ul>"
            "<li>Hur får vi in hållbarhetsfrågorna i ordinarie styrnings- och "
            "ledningssystem?</li>"
            "<li>Om vi jobbar med Agenda 2030 (alla frågor samtidigt) kanske vi tappar "
            "djupet?</li>"
            "<li>Om vi jobbar specifikt med jämställdhets-, MR-, barn- eller "
            "funkisperspektiv kanske vi missar bredden och korskopplingarna?</li></ul>"
            "<p>Lärande exempel från Norrbottens kommuner med Karin Forsman.</p>"
            "<p>Programmet uppdateras löpande.</p>",
            speakers="Gertrud Åström, expert i sociala hållbarhetsfrågor\n"
            "Karin Forsman, utvecklingsledare, Norrbottens kommuner",
            format=events.EventPage.Format.ONLINE,
            meeting_url="https://teams.microsoft.com/l/meetup-join/demo-natverkstraff",
            audience_description="Kommunala tjänstepersoner, chefer och strateger med koppling "
            "till sociala hållbarhetsfrågor.",
            audience_staff=True,
            audience_external=False,
            registration_required=True,
            seats=10,
            registration_deadline=_at(dt.date(day.year, 9, 17), 23, 59),
            cancellation_cutoff_hours=48,
        )
        page.sessions = [events.EventSession(start=_at(day, 9), end=_at(day, 12))]
        page.quotas = [
            events.EventQuota(organisation=org, seats=4) for org in (huddinge, botkyrka) if org
        ]
        page.organisers = boards
        return page

    event, created = _event(index, "perspektivtrangsel", build)
    if created:
        # Huddinge's four seats are taken and two of its people wait; Botkyrka has four;
        # two seats are left for other organisations (and the demo learner waits if they
        # register: Huddinge's quota is full).
        for person in _people("Huddinge kommun", 6, offset=4) + _people(
            "Botkyrka kommun", 4, offset=5
        ):
            events.register(person, event=event)
    return event


SERIES_LECTURES = (
    "Sveriges nationella minoriteter och minoritetslagen",
    "Sverigefinnarnas historia och språkets betydelse",
    "Språkdiskriminering, identitet och normer",
)


def seed_minorities_series(course_parent) -> events.EventPage | None:
    course = course_parent.get_children().filter(slug="nationella-minoriteter").first()
    if course is None:
        return None
    organisers = [
        _organisation(name, "municipality")
        for name in (
            "Sundbybergs stad",
            "Järfälla kommun",
            "Upplands Väsby kommun",
            "Upplands-Bro kommun",
        )
    ]
    lectures = [Lecture.objects.filter(title=title).first() for title in SERIES_LECTURES]
    days = [dt.date(2026, 3, 11), dt.date(2026, 3, 25), dt.date(2026, 4, 8)]

    def build():
        page = events.EventPage(
            title="Nationella minoriteter – föreläsningsserien live",
            summary="Tre kostnadsfria digitala föreläsningar om nationella minoriteter med "
            "särskilt fokus på sverigefinnar, gemensamma för Sundbyberg, Järfälla, Upplands "
            "Väsby och Upplands-Bro. Inspelningarna finns i kursen efteråt.",
            format=events.EventPage.Format.ONLINE,
            meeting_url="https://teams.microsoft.com/l/meetup-join/demo-minoriteter",
            audience_description="Alla kommunanställda.",
            registration_required=False,
        )
        page.sessions = [
            events.EventSession(
                title=SERIES_LECTURES[i], start=_at(day, 13), end=_at(day, 14, 30),
                recording=lectures[i],
            )
            for i, day in enumerate(days)
        ]  # fmt: skip
        page.organisers = organisers
        return page

    event, _created = _event(course.specific, "foerelasningsserien-live", build)
    return event


def seed_events(home: HomePage, catalogue) -> dict[str, bool]:
    """Build the demo's events; returns {title: created}. Safe to run again."""
    # The outermost transaction: the messages it decides (confirmations, the recording's
    # notice) are sent when it commits, still inside the override.
    dummy = "django.core.mail.backends.dummy.EmailBackend"
    with override_settings(EMAIL_BACKEND=dummy), transaction.atomic():
        index = _index(home)
        botkyrka = _organisation("Botkyrka kommun", "municipality")
        pages = [
            seed_interkulturellt(index, botkyrka),
            seed_network_meeting(index),
            seed_minorities_series(catalogue),
        ]
    return {page.title: _CREATED.get(page.title, False) for page in pages if page is not None}
