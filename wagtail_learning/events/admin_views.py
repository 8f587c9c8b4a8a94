"""The organiser's admin screens: participants by organisation with attendance (CSV/XLSX),
marking attendance, importing the meeting tool's report, cancelling. Thin: the rules and
the wall are in services and access."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, DateTimeField, F, Value, When
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.permissions import page_permission_policy

from wagtail_learning.lms.http import page_of
from wagtail_learning.lms.http.exports import export_response
from wagtail_learning.org.api import Organisation, get_scope_units

from . import services
from .access import count_visible_registrations, is_organiser, visible_registrations
from .errors import AttendanceNotOpen, EventError, NotOrganiser
from .models import Attendance, EventPage, EventSession, Registration

MAX_UPLOAD_BYTES = services.MAX_REPORT_BYTES
PARTICIPANTS_PER_PAGE = 100
UNMATCHED_SHOWN = 20  # rows of a report named in its "not matched" message


def _event(request, page_id: int) -> EventPage:
    event = get_object_or_404(EventPage, pk=page_id)
    if not (is_organiser(request.user, event) or get_scope_units(request.user).exists()):
        raise PermissionDenied
    return event


def _require_organiser(request, event: EventPage) -> None:
    if not is_organiser(request.user, event):
        raise PermissionDenied


@dataclass
class Row:
    registration: Registration
    attendance: list[Attendance | None]
    position: int | None = None  # the place in the event's waitlist

    @property
    def status(self) -> str:
        if self.position is not None:
            return _("Waitlist, number %(n)s") % {"n": self.position}
        return self.registration.get_status_display()


def _registrations(request, event: EventPage):
    """The registrations of `event` this person may see, in the list's order: by
    organisation, then status; the waitlisted in the order of the line (as promotion
    follows it), the others by name."""
    in_line = Case(
        When(status=Registration.Status.WAITLISTED, then=F("queued_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )
    return (
        visible_registrations(request.user, event)
        .select_related("user", "organisation")
        .order_by(
            "organisation__name",
            "status",
            in_line.asc(nulls_last=True),
            "user__last_name",
            "user__first_name",
            "pk",
        )  # fmt: skip
    )


def _rows(registrations, sessions: list[EventSession], positions: dict[int, int]) -> list[Row]:
    registrations = list(registrations)
    marks = {
        (a.session_id, a.user_id): a
        for a in Attendance.objects.filter(
            session__in=sessions, user__in=[r.user_id for r in registrations]
        )
    }
    return [
        Row(r, [marks.get((s.pk, r.user_id)) for s in sessions], positions.get(r.pk))
        for r in registrations
    ]


def _table(event, sessions, rows) -> list[list[str]]:
    questions = list(event.questions.all())
    header = [_("Organisation"), _("Name"), _("Email"), _("Status")]
    header += [s.label for s in sessions] + [q.label for q in questions]
    table = [header]
    for row in rows:
        r = row.registration
        line = [
            str(r.organisation or "–"), r.user.get_full_name() or r.user.username, r.user.email,
            row.status,
        ]  # fmt: skip
        for mark in row.attendance:
            line.append(
                ""
                if mark is None
                else f"{mark.get_status_display()}"
                + (f" ({mark.minutes} min)" if mark.minutes is not None else "")
            )
        line += [r.answers.get(str(q.key), "") for q in questions]
        table.append(line)
    return table


def _export(request, event, table, fmt: str, registrations):
    """The participant list as CSV or XLSX through the platform's one export module
    (streamed, formulas neutralised). The export is written to the audit log on each
    organisation whose people it holds, as HR's exports are on their units: the wall
    shows the entry (and the exporter's name) only to those who see that organisation,
    never in the page history of a shared event."""
    organisation_ids = registrations.order_by().values_list("organisation_id", flat=True)
    return export_response(
        request,
        fmt=fmt,
        filename=f"deltagare-{event.slug}",
        header=table[0],
        rows=table[1:],
        audit_units=Organisation.objects.filter(pk__in=organisation_ids.distinct()),
        what="event participants",
        title_lines=[_("Participants: %(title)s") % {"title": event.title}],
    )


def participants(request, page_id: int):
    event = _event(request, page_id)
    sessions = list(event.sessions.all().select_related("cancellation"))
    registrations = _registrations(request, event)
    if request.method == "POST":
        _require_organiser(request, event)
        visible = {r.user_id: r.user for r in registrations}
        changed = 0
        for key, value in request.POST.items():
            if not key.startswith("att-") or value not in ("attended", "no_show"):
                continue
            try:
                _prefix, user_id, session_id = key.split("-")
                user = visible[int(user_id)]
                session = next(s for s in sessions if s.pk == int(session_id))
            except (ValueError, KeyError, StopIteration):
                continue
            try:
                services.mark_attendance(
                    user, session=session, attended=value == "attended", by=request.user
                )
                changed += 1
            except EventError as error:
                messages.error(request, error.message)
        messages.success(
            request,
            ngettext("Attendance saved (%(n)s mark).", "Attendance saved (%(n)s marks).", changed)
            % {"n": changed},
        )
        return HttpResponseRedirect(request.get_full_path())  # the same page of the list
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        rows = _rows(registrations, sessions, services.waitlist_positions(event))
        return _export(request, event, _table(event, sessions, rows), fmt, registrations)
    # A page of people at a time (a regional conference has hundreds); each organisation's
    # heading counts all of its people, not only those on this page.
    page = page_of(request, registrations, PARTICIPANTS_PER_PAGE)
    totals = dict(registrations.order_by().values_list("organisation_id").annotate(n=Count("pk")))
    groups: dict[str, tuple[int, list[Row]]] = {}
    for row in _rows(page.object_list, sessions, services.waitlist_positions(event)):
        organisation = row.registration.organisation
        name = str(organisation or _("No organisation"))
        total = totals.get(organisation.pk if organisation else None, 0)
        groups.setdefault(name, (total, []))[1].append(row)
    return TemplateResponse(
        request,
        "events/admin/participants.html",
        {
            "header_title": _("Participants: %(title)s") % {"title": event.title},
            "page_title": _("Participants"),
            "page_subtitle": event.title,
            "header_icon": "group",
            "event": event,
            "sessions": sessions,
            "groups": groups,
            "people_page": page,
            "seats": services.count_seats(event),
            "organiser": is_organiser(request.user, event),
            "runs_event": services.runs_event(request.user, event),
        },
    )


def import_report(request, page_id: int, session_id: int):
    event = _event(request, page_id)
    if not services.runs_event(request.user, event):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    session = get_object_or_404(EventSession, pk=session_id, page_id=event.pk)
    upload = request.FILES.get("report")
    back = reverse("events_participants", args=[event.pk])
    if upload is None:
        messages.error(request, _("Choose the participant report (a CSV file) to import."))
        return HttpResponseRedirect(back)
    if upload.size > MAX_UPLOAD_BYTES:
        messages.error(request, _("The file is too large (at most 2 MB)."))
        return HttpResponseRedirect(back)
    try:
        result = services.import_participant_report(session, data=upload.read(), by=request.user)
    except NotOrganiser:
        raise PermissionDenied from None
    except AttendanceNotOpen as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(back)
    except EventError as error:
        messages.error(request, _("The report could not be read: %(why)s") % {"why": error.message})
        return HttpResponseRedirect(back)
    messages.success(
        request,
        _("Imported: %(a)s attended, %(n)s did not.")
        % {"a": len(result.attended), "n": len(result.no_show)},
    )
    if result.unmatched:
        # One message for all of them (a report of a thousand guests is one line), each
        # row as the file has it: not matched, never why.
        shown = [
            _("row %(line)s (%(email)s)") % {"line": line, "email": _short(email) or "–"}
            for line, email in result.unmatched[:UNMATCHED_SHOWN]
        ]
        if len(result.unmatched) > UNMATCHED_SHOWN:
            shown.append(_("and %(n)s more") % {"n": len(result.unmatched) - UNMATCHED_SHOWN})
        messages.warning(
            request,
            _("Not matched to a registered participant: %(rows)s.") % {"rows": ", ".join(shown)},
        )
    return HttpResponseRedirect(back)


def _short(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def cancel_session(request, page_id: int, session_id: int):
    event = _event(request, page_id)
    _require_organiser(request, event)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    session = get_object_or_404(EventSession, pk=session_id, page_id=event.pk)
    try:
        told = services.cancel_session(session, by=request.user)
    except NotOrganiser:
        raise PermissionDenied from None
    messages.success(request, _("Session cancelled; %(n)s people were told.") % {"n": told})
    return HttpResponseRedirect(reverse("events_participants", args=[event.pk]))


def cancel_event(request, page_id: int):
    event = _event(request, page_id)
    _require_organiser(request, event)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        told = services.cancel_event(event, by=request.user)
    except NotOrganiser:
        raise PermissionDenied from None
    messages.success(request, _("Event cancelled; %(n)s people were told.") % {"n": told})
    return HttpResponseRedirect(reverse("events_participants", args=[event.pk]))


def may_list_events(user) -> bool:
    """Coordinators (a reporting scope) and anyone who may edit some event.

    The events a person may edit are asked of Wagtail's page permission policy in one
    query, not page by page: a page-by-page test asked every event for its workflow task.
    (A workflow reviewer who may edit an event only while reviewing it opens its
    participants from the page, not from this list.)"""
    if not user.is_authenticated:
        return False
    if user.is_superuser or get_scope_units(user).exists():
        return True
    editable = page_permission_policy.instances_user_has_permission_for(user, "change")
    return editable.type(EventPage).exists()


def events_index(request):
    """Every event with the number of its participants this person may see: the way in to
    each participant list for coordinators, who have no page explorer."""
    if not may_list_events(request.user):
        raise PermissionDenied
    from .services import list_events

    events = list_events()
    counts = count_visible_registrations(request.user, events)
    rows = [
        {
            "event": event,
            "sessions": list(event.sessions.all()),
            "participants": counts.get(event.pk, 0),
            "organiser": is_organiser(request.user, event),
        }
        for event in events
    ]
    return TemplateResponse(
        request,
        "events/admin/index.html",
        {
            "page_title": _("Events"),
            "header_icon": "date",
            "rows": rows,
        },
    )
