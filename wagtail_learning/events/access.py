"""Who may see what of an event. One function per question; every view, feed, email and
export asks these, never the fields themselves."""

from __future__ import annotations

from django.db.models import QuerySet
from wagtail.permissions import page_permission_policy

from wagtail_learning.org.api import can_see_unit, scope_queryset

from .models import EventPage, Registration


def has_seat(user, event: EventPage) -> bool:
    """Whether `user` holds a seat (not the waitlist, not cancelled) at `event`."""
    if user is None or not user.is_authenticated:
        return False
    return Registration.objects.filter(
        event_id=event.pk, user_id=user.pk, status=Registration.Status.REGISTERED
    ).exists()


def meeting_link_for(user, event: EventPage) -> str:
    """The event's meeting link if `user` may see it (a registered participant), else ''.

    The only place that reads `EventPage.meeting_url` for a person: pages, feeds, invitations
    and reminders all go through here."""
    if not event.meeting_url or not has_seat(user, event):
        return ""
    return event.meeting_url


def is_organiser(user, event: EventPage) -> bool:
    """Holds the permission to edit the event page (Wagtail's page permission policy, on
    the event or above it): marks attendance, imports reports, cancels sessions.

    Asked of the user's page permissions, which the policy reads once and keeps on the
    user, so a list of events costs no query per event (a page's `can_edit` also asked
    each event for its workflow task; a workflow reviewer editing only while reviewing is
    not an organiser)."""
    if user is None or not user.is_authenticated:
        return False
    return page_permission_policy.user_has_permission_for_instance(user, "change", event)


def is_organising_coordinator(user, event: EventPage) -> bool:
    """May edit the event and coordinates (a reporting scope over) one of its organisers:
    they run the event, so they see every participant of it."""
    if not is_organiser(user, event):
        return False
    organisers = list(event.organisers.all())
    return any(can_see_unit(user, organisation) for organisation in organisers)


def count_visible_registrations(user, events: list[EventPage]) -> dict[int, int]:
    """Per event, the active (not cancelled) registrations `user` may see: the rule of
    `visible_registrations`, for a list of events in two grouped queries."""
    from django.db.models import Count, prefetch_related_objects

    prefetch_related_objects(events, "organisers")
    active = Registration.objects.exclude(status=Registration.Status.CANCELLED)
    running = [e.pk for e in events if is_organising_coordinator(user, e)]
    grouped = active.values_list("event_id").annotate(n=Count("pk"))
    counts = dict(scope_queryset(user, grouped.filter(event_id__in=[e.pk for e in events])))
    if running:
        counts.update(grouped.filter(event_id__in=running))
    return counts


def visible_registrations(user, event: EventPage | None = None) -> QuerySet:
    """Registrations `user` may see in lists and exports (of one event, or all).

    The wall's rule (superusers all; a coordinator the people in their scope; everyone
    else none), widened for the event's own organisers to all of that event's people."""
    queryset = Registration.objects.all()
    if event is not None:
        queryset = queryset.filter(event_id=event.pk)
        if user.is_authenticated and is_organising_coordinator(user, event):
            return queryset
    return scope_queryset(user, queryset)
