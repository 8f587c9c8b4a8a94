"""Receivers at the edge, connected in apps.ready(): each a one-line call into the rules."""

from .schedules import ensure_schedules


def create_schedules(sender, **kwargs):
    ensure_schedules()
