"""Receivers at the edge, connected in ready(): each a one-line call into org."""

from .schedules import ensure_schedules


def create_schedules(sender, **kwargs):
    ensure_schedules()
