"""Receivers at the edge, connected in apps.ready(): each one call into the engine."""

from django.db import transaction

from .schedules import ensure_schedules
from .services import fill_free_seats, notify_recordings, send_updates


def create_schedules(sender, **kwargs):
    ensure_schedules()


def event_published(sender, instance, **kwargs):
    """An event page published: changed times, places or links update the invitations
    people hold; a recording attached after a session tells those who missed it; seats
    added (overall or to a quota) go to the waitlist in its order."""

    def after():
        send_updates(instance)
        notify_recordings(instance)
        fill_free_seats(instance)

    transaction.on_commit(after)
