"""Receivers at the edge, connected in apps.ready(): each one call into the outbox."""

from django.apps import apps
from django.db.models.signals import post_save

from .events import sources
from .outbox import record_event
from .schedules import ensure_schedules


def create_schedules(sender, **kwargs):
    ensure_schedules()


def _receiver(read):
    def record_on_save(sender, instance, created=False, update_fields=None, raw=False, **kw):
        """post_save of an event source: in the saving transaction, so the outbox row
        commits (or rolls back) with the event itself."""
        if raw:  # loaddata
            return
        event = read(instance, created=created, update_fields=update_fields)
        if event is not None:
            record_event(event)

    return record_on_save


def connect_event_sources() -> None:
    """Every model whose save is a learning event, connected by its label (the apps above
    this one are not imported); a source whose app is not installed is left out."""
    for label, (app, read) in sources().items():
        if apps.is_installed(app):
            post_save.connect(
                _receiver(read), sender=label, weak=False, dispatch_uid=f"xapi:{label}"
            )
