"""Signal handlers at the edge: each a one-line call into the engine."""

from .schedules import ensure_schedules


def create_schedules(sender, **kwargs):
    ensure_schedules()
