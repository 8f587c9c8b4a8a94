"""Live and hybrid events: the pages editors author, and what people do with them.

An `EventPage` holds its sessions, seat quotas and registration questions as inline
children (edited, previewed and revisioned with the page). Everything that happens to
people (registrations and their history, attendance, invitations sent, notices sent) lives
in models of its own, outside the page's revisions, so publishing an old draft never
rewinds it.
"""

from __future__ import annotations

import secrets
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .forms_admin import EventPageForm

CHECK_IN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_check_in_code() -> str:
    return "".join(secrets.choice(CHECK_IN_ALPHABET) for _ in range(6))


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class ServedByViews(RoutablePageMixin):
    """A page that the app's views serve: the page itself (route "") and the routes below it
    are `view_routes`, which events.views declares and the app gives the page class when it
    is ready (`EventsConfig.ready`). So models import neither views nor services, and the
    dependency runs one way: views -> services -> models."""

    view_routes: tuple = ()

    @classmethod
    def get_subpage_urls(cls):
        # The views' routes first: their "" replaces RoutablePageMixin's plain index route.
        return tuple(cls.view_routes) + super().get_subpage_urls()


class EventIndexPage(ServedByViews, Page):
    """The calendar of events: lists the events below it and those below the courses of
    its home page (what it shows: `events.views.calendar_page`)."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    # Any parent: the host's own home page, say (README "Add to an existing Wagtail site").
    subpage_types = ["events.EventPage"]
    max_count_per_parent = 1
    template = "events/event_index_page.html"

    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("events calendar")
        verbose_name_plural = _("events calendars")


class EventPage(ServedByViews, Page):
    """A live, online or hybrid event with one or more sessions (what it shows and the routes
    below it, registering, cancelling, check-in, recordings: `events.views.event_routes`)."""

    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        ON_SITE = "on_site", _("On site")
        HYBRID = "hybrid", _("Hybrid")

    summary = models.TextField(_("summary"), help_text=_("One or two sentences for the calendar."))
    programme = RichTextField(
        _("programme"), blank=True, features=["h2", "h3", "bold", "italic", "ol", "ul", "link"]
    )
    speakers = models.TextField(_("speakers"), blank=True, help_text=_("One per line."))
    moderator = models.CharField(_("moderator"), max_length=200, blank=True)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    # Private: shown only to registered participants, through events.access. Not a search
    # field, not in any API schema, never read by a template directly.
    meeting_url = models.URLField(
        _("meeting link"),
        blank=True,
        help_text=_("Shown only to registered participants (and in their invitations)."),
    )
    organisers = ParentalManyToManyField(
        "org.Organisation", verbose_name=_("organisers"), related_name="organised_events"
    )
    audience_organisations = ParentalManyToManyField(
        "org.Organisation",
        verbose_name=_("open to organisations"),
        related_name="+",
        blank=True,
        help_text=_("Empty: open to every organisation."),
    )
    audience_staff = models.BooleanField(_("open to staff"), default=True)
    audience_external = models.BooleanField(_("open to external participants"), default=False)
    audience_description = models.TextField(_("target audience"), blank=True)
    registration_required = models.BooleanField(_("registration is mandatory"), default=True)
    seats = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    cancellation_cutoff_hours = models.PositiveIntegerField(
        _("participants may cancel until (hours before the start)"), default=24
    )

    parent_page_types = ["events.EventIndexPage", "courses.CoursePage"]
    subpage_types: list[str] = []
    template = "events/event_page.html"
    base_form_class = EventPageForm

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("programme"),
        index.SearchField("speakers"),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("format"), FieldPanel("venue"), FieldPanel("meeting_url")],
            heading=_("Where"),
        ),
        InlinePanel("sessions", label=_("Sessions"), min_num=1),
        FieldPanel("programme"),
        FieldRowPanel([FieldPanel("speakers"), FieldPanel("moderator")]),
        FieldPanel("organisers"),
        MultiFieldPanel(
            [
                FieldPanel("audience_description"),
                FieldPanel("audience_organisations"),
                FieldRowPanel([FieldPanel("audience_staff"), FieldPanel("audience_external")]),
            ],
            heading=_("Target audience"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("registration_required"), FieldPanel("seats")]),
                FieldRowPanel(
                    [FieldPanel("registration_deadline"), FieldPanel("cancellation_cutoff_hours")]
                ),
                InlinePanel("quotas", label=_("Seats per organisation")),
                InlinePanel("questions", label=_("Questions to participants")),
            ],
            heading=_("Registration"),
        ),
    ]

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def clean(self):
        super().clean()
        if self.format in (self.Format.ONLINE, self.Format.HYBRID) and not self.meeting_url:
            raise ValidationError({"meeting_url": _("An online or hybrid event needs a link.")})
        if self.format in (self.Format.ON_SITE, self.Format.HYBRID) and not self.venue:
            raise ValidationError({"venue": _("An on-site or hybrid event needs a venue.")})

    @property
    def speaker_list(self) -> list[str]:
        return [line.strip() for line in self.speakers.splitlines() if line.strip()]


class EventSession(Orderable):
    """One date of an event. Its pk names it in calendars for life (modelcluster keeps child
    pks across revisions; a copied page's sessions get their own)."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200, blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Stockholm")
    check_in_code = models.CharField(
        _("check-in code"),
        max_length=12,
        default=new_check_in_code,
        help_text=_("Shown in the room; participants on site type it to check in."),
    )
    recording = models.ForeignKey(
        "modules.Lecture",
        verbose_name=_("recording"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("After the event: the recording from the lecture library."),
    )

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end"), FieldPanel("time_zone")]),
        FieldPanel("check_in_code"),
        FieldPanel("recording"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="events_session_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.page.title}: {self.label}"

    def clean(self):
        super().clean()
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"time_zone": _("Unknown time zone.")}) from None
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The session must end after it starts.")})

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def zone_label(self) -> str:
        """Whose clock the label's times are on, as a reader says it: "svensk tid" for
        Sweden's zone, else the zone's place ("tid i Helsingfors" reads "Helsinki" as the
        zone database names it), never the raw zone name."""
        if self.time_zone == "Europe/Stockholm":
            return _("Swedish time")
        place = self.time_zone.rsplit("/", 1)[-1].replace("_", " ")
        return _("%(place)s time") % {"place": place}

    @property
    def label(self) -> str:
        start = self.start.astimezone(self.tz)
        end = self.end.astimezone(self.tz)
        # In the reader's language: "12 september 2026, 14:30–16:00" (the time zone's own
        # wall clock; a session over midnight names both days).
        day = date_format(start, "DATE_FORMAT")
        if end.date() == start.date():
            text = f"{day}, {time_format(start, 'TIME_FORMAT')}–{time_format(end, 'TIME_FORMAT')}"
        else:
            text = (
                f"{day}, {time_format(start, 'TIME_FORMAT')} – "
                f"{date_format(end, 'DATE_FORMAT')}, {time_format(end, 'TIME_FORMAT')}"
            )
        return f"{self.title} ({text})" if self.title else text


class EventQuota(Orderable):
    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="quotas")
    organisation = models.ForeignKey(
        "org.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE
    )
    seats = models.PositiveIntegerField(_("seats"))

    panels = [FieldRowPanel([FieldPanel("organisation"), FieldPanel("seats")])]

    class Meta(Orderable.Meta):
        verbose_name = _("seats for an organisation")
        verbose_name_plural = _("seats per organisation")


class EventQuestion(Orderable):
    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="questions")
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    label = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("an answer is required"), default=False)

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("required")])]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")


class Registration(models.Model):
    """One person's place at an event: a seat, the waitlist, or cancelled."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    # The person's top-level organisation when they registered: quotas and the lists.
    organisation = models.ForeignKey(
        "org.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    queued_at = models.DateTimeField(_("in line since"))  # waitlist order (then pk)
    # When the message about the current place (a seat with its calendar invitation, or the
    # place in line) was sent; empty from the moment the place is given until the task
    # queue sends it (`services.send_registration_message`), so a task run twice sends once.
    mailed_at = models.DateTimeField(_("message sent"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_registration_unique")
        ]
        indexes = [models.Index(fields=["event", "status", "queued_at"], name="events_reg_line")]

    def __str__(self) -> str:
        return f"{self.user} – {self.event}"


class RegistrationEntry(models.Model):
    """The history of a registration: append-only."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITLISTED = "waitlisted", _("Wait-listed")
        PROMOTED = "promoted", _("Promoted from the waitlist")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not attend")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("what"), max_length=16, choices=Action.choices)
    session = models.ForeignKey(EventSession, null=True, blank=True, on_delete=models.SET_NULL)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("registration history entry")
        verbose_name_plural = _("registration history entries")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Registration history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Registration history is append-only.")


class Attendance(models.Model):
    """Whether a person attended a session, and how we know."""

    class Status(models.TextChoices):
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not attend")

    class Source(models.TextChoices):
        ORGANISER = "organiser", _("Marked by the organiser")
        REPORT = "report", _("Meeting tool's report")
        CHECK_IN = "check_in", _("Checked in on site")

    session = models.ForeignKey(EventSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_attendance"
    )
    status = models.CharField(_("attendance"), max_length=16, choices=Status.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    minutes = models.PositiveIntegerField(_("minutes present"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="events_attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_status_display()}"


class Invitation(models.Model):
    """The calendar entry a person holds for a session: what we last sent them.

    SEQUENCE rises on every message after the first, so calendars update the entry (or
    remove it) instead of adding another."""

    session = models.ForeignKey(EventSession, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True)
    cancelled = models.BooleanField(default=False)
    sent_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar invitation")
        verbose_name_plural = _("calendar invitations")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="events_invitation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.session_id} ({self.sequence})"


class SessionNotice(models.Model):
    """A message sent once per person and session (a reminder, the recording is there)."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        RECORDING = "recording", _("Recording available")

    session = models.ForeignKey(EventSession, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session notice")
        verbose_name_plural = _("session notices")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user", "kind"], name="events_session_notice_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user}"


class SessionCancellation(models.Model):
    """A session the organiser cancelled (kept outside the page so a revision cannot undo it)."""

    session = models.OneToOneField(
        EventSession, on_delete=models.CASCADE, related_name="cancellation"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session cancellation")
        verbose_name_plural = _("session cancellations")

    def __str__(self) -> str:
        return f"{self.session_id}"


class CalendarFeed(models.Model):
    """A person's secret calendar URL; a new token revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
