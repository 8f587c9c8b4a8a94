"""Receivers at the edge, connected in apps.ready(): each one call into the outbox."""

import logging

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save

from .events import sources
from .outbox import record_event
from .schedules import ensure_schedules

logger = logging.getLogger(__name__)


def create_schedules(sender, **kwargs):
    ensure_schedules()


def _receiver(read):
    def record_on_save(sender, instance, created=False, update_fields=None, raw=False, **kw):
        """post_save of an event source: in the saving transaction, so the outbox row
        commits (or rolls back) with the event itself. A fault of ours is logged, never
        lets the learner's completion fail (the savepoint keeps their transaction whole)."""
        if raw:  # loaddata
            return
        try:
            event = read(instance, created=created, update_fields=update_fields)
            if event is not None:
                with transaction.atomic():
                    record_event(event)
        except Exception:
            logger.exception("No xAPI statement for %s %s", sender.__name__, instance.pk)

    return record_on_save


def connect_event_sources() -> None:
    """Every model whose save is a learning event, connected by its label (the apps above
    this one are not imported); a source whose app is not installed is left out."""
    for label, (app, read) in sources().items():
        if apps.is_installed(app):
            post_save.connect(
                _receiver(read), sender=label, weak=False, dispatch_uid=f"xapi:{label}"
            )
