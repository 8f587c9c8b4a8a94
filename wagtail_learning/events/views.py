"""Thin views: parse, call the engine once, render or redirect with a message.

The event page's and the calendar's routes are declared here (`event_routes`,
`calendar_routes`) and given to the page classes when the app is ready: the models import
neither views nor services (views -> services -> models)."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wagtail_learning.lms.api import public_url, storage_alias_of
from wagtail_learning.lms.http import serve_protected_file

from . import services
from .access import has_seat, meeting_link_for
from .calendar import Entry, build_calendar
from .errors import EventError
from .forms import CheckInForm, RegistrationForm
from .models import (
    CalendarFeed,
    EventIndexPage,
    EventPage,
    EventSession,
    Invitation,
    Registration,
)


def event_context(request, event: EventPage) -> dict:
    """What the event page shows this person. The meeting link only through
    events.access."""
    user = request.user
    now = timezone.now()
    registration = services.get_registration(user, event)
    sessions = list(event.sessions.all().select_related("cancellation", "recording"))
    cancelled = {s.pk for s in sessions if hasattr(s, "cancellation")}
    may_watch = services.may_watch_recordings(user, event)
    return {
        "over": services.has_taken_place(sessions, now),
        "sessions": [
            {
                "session": s,
                "cancelled": s.pk in cancelled,
                "past": s.end <= now,
                "check_in_open": services.check_in_open(s, now),
                "recording_url": (
                    services.recording_url(event, s)
                    if may_watch and services.recording_of(s, now) is not None
                    else ""
                ),
            }
            for s in sessions
        ],
        "registration": registration,
        "waitlist_position": registration and services.waitlist_position(registration),
        "seat": has_seat(user, event),
        "meeting_link": meeting_link_for(user, event),
        "seats": services.count_seats(event),
        "registration_open": services.registration_open(event, now),
        "cancellation_deadline": services.own_cancellation_deadline(registration, event),
        "prospect": services.registration_prospect(user, event),
        "form": RegistrationForm(questions=event.questions.all()),
        "check_in_form": CheckInForm(),
        "organisers": list(event.organisers.all()),
        "audience_organisations": list(event.audience_organisations.all()),
    }


def _render_page(request, page, context: dict, status: int = 200) -> TemplateResponse:
    """The page in its template, as RoutablePageMixin's own index route renders it, with
    `context` added to the page's own."""
    request.is_preview = getattr(request, "is_preview", False)
    full = page.get_context(request)
    full.update(context)
    return TemplateResponse(request, page.get_template(request), full, status=status)


def event_page(request, event: EventPage, *, form=None, status: int = 200) -> TemplateResponse:
    """The event's page as this person sees it (also its preview in the editor)."""
    context = event_context(request, event)
    if form is not None:
        context["form"] = form
    return _render_page(request, event, context, status)


def calendar_page(request, calendar: EventIndexPage) -> TemplateResponse:
    """The calendar: every event of the site it is the calendar of, its own and those
    placed under a course (a course's live sessions), which would otherwise be in no
    calendar. Upcoming (soonest first) apart from past ones (latest first, with their
    recording): a person looking for what to register for should not read through last
    year."""
    now = timezone.now()
    events = services.list_events(within=calendar.get_parent(), now=now)
    upcoming = [e for e in events if any(s.end >= now for s in e.sessions.all())]
    return _render_page(
        request,
        calendar,
        {
            "events": events,
            "upcoming_events": upcoming,
            "past_events": [e for e in events if e not in upcoming],
        },
    )


def _post_only(request, event):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return redirect_to_login(event.url)
    return None


def register(request, event: EventPage):
    refused = _post_only(request, event)
    if refused:
        return refused
    form = RegistrationForm(request.POST, questions=event.questions.all())
    if not form.is_valid():
        return event_page(request, event, form=form, status=400)
    try:
        result = services.register(request.user, event=event, answers=form.answers())
    except EventError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(event.url)
    status = result.registration.status
    if status == Registration.Status.REGISTERED:
        messages.success(
            request,
            _("You are registered. A confirmation with a calendar invitation is on its way."),
        )
    elif result.quota_full:
        messages.warning(
            request,
            _("Your organisation's seats are taken, so you are on the waitlist. "
              "We will email you if a seat becomes free."),
        )  # fmt: skip
    else:
        messages.warning(
            request,
            _(
                "The event is full, so you are on the waitlist. "
                "We will email you if a seat becomes free."
            ),
        )
    return HttpResponseRedirect(event.url)


def cancel(request, event: EventPage):
    refused = _post_only(request, event)
    if refused:
        return refused
    try:
        services.cancel_registration(request.user, event=event)
    except EventError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(event.url)
    messages.success(request, _("Your registration is cancelled."))
    return HttpResponseRedirect(event.url)


def check_in(request, event: EventPage):
    refused = _post_only(request, event)
    if refused:
        return refused
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type the code shown in the room."))
        return HttpResponseRedirect(event.url)
    session = EventSession.objects.filter(pk=form.cleaned_data["session"], page_id=event.pk).first()
    if session is None:
        messages.error(request, _("No such session."))
        return HttpResponseRedirect(event.url)
    try:
        services.check_in(request.user, session=session, code=form.cleaned_data["code"])
    except EventError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(event.url)
    messages.success(request, _("You are checked in. Welcome!"))
    return HttpResponseRedirect(event.url)


def _recording(request, event: EventPage, session_id: int):
    """(the session's recording, None) for one who may watch it, or (None, a response)."""
    session = (
        EventSession.objects.filter(pk=session_id, page_id=event.pk)
        .select_related("recording")
        .first()
    )
    lecture = session and services.recording_of(session)
    if lecture is None:
        raise Http404(_("No such recording."))
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    if not services.may_watch_recordings(request.user, event):
        return None, HttpResponseForbidden(
            _("The recording is for those who registered for the event.")
        )
    return (session, lecture), None


def recording(request, event: EventPage, session_id: int):
    """The session's recording, played on the event's own page (a stand-alone event has
    no course to play it in)."""
    found, refused = _recording(request, event, session_id)
    if refused:
        return refused
    session, lecture = found
    video_url = event.url + event.reverse_subpage("recording_video", args=[session.pk])
    return render(
        request,
        "events/recording.html",
        {"page": event, "session": session, "lecture": lecture, "video_url": video_url},
    )


def recording_video(request, event: EventPage, session_id: int):
    found, refused = _recording(request, event, session_id)
    if refused:
        return refused
    _session, lecture = found
    if not lecture.is_ready or not lecture.video:
        raise Http404
    return serve_protected_file(
        request,
        storage_alias=storage_alias_of(lecture.video.storage),
        name=lecture.video.name,
        content_type=lecture.video_content_type,
    )


# --- The pages' routes ------------------------------------------------------------------


def _page_route(view):
    """`view(request, page, ...)` as a route of a page: Wagtail calls a route as a method of
    the page, (page, request, ...)."""

    @functools.wraps(view)
    def route(page, request, *args, **kwargs):
        return view(request, page, *args, **kwargs)

    return route


event_routes = (
    path("", _page_route(event_page), name="event"),
    path("anmalan/", _page_route(register), name="register"),
    path("avanmalan/", _page_route(cancel), name="cancel"),
    path("inspelning/<int:session_id>/", _page_route(recording), name="recording"),
    path(
        "inspelning/<int:session_id>/video/",
        _page_route(recording_video),
        name="recording_video",
    ),
    path("incheckning/", _page_route(check_in), name="check_in"),
)
calendar_routes = (path("", _page_route(calendar_page), name="calendar"),)


# --- The personal calendar feed --------------------------------------------------------


@login_required
def calendar_settings(request):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = public_url(reverse("events:feed", args=[feed.token])) if feed else ""
    return render(request, "events/calendar_settings.html", {"feed_url": url})


@login_required
@require_POST
def calendar_new_token(request):
    """Create the secret address, or replace it: the old one stops working at once."""
    CalendarFeed.objects.update_or_create(
        user=request.user, defaults={"token": CalendarFeed._meta.get_field("token").default()}
    )
    messages.success(
        request, _("Your calendar has a new secret address; the old one no longer works.")
    )
    return HttpResponseRedirect(reverse("events:calendar"))


@login_required
@require_POST
def calendar_revoke(request):
    CalendarFeed.objects.filter(user=request.user).delete()
    messages.success(request, _("The secret address of your calendar no longer works."))
    return HttpResponseRedirect(reverse("events:calendar"))


def calendar_feed(request, token: str):
    """The person's registered sessions as iCalendar, for whoever holds the secret URL."""
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active:
        raise Http404(_("No such calendar."))
    user = feed.user
    entries = []
    registrations = Registration.objects.filter(
        user=user, status=Registration.Status.REGISTERED
    ).select_related("event")
    for registration in registrations:
        event = registration.event
        link = meeting_link_for(user, event)
        for session in services.active_sessions(event):
            invitation = Invitation.objects.filter(session=session, user=user).first()
            sequence = invitation.sequence if invitation else 0
            entries.append(Entry(session, event, user, sequence, link, False))
    body = build_calendar(entries, method=None, name=_("My events"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
