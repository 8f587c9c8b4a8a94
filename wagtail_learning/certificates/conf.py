"""Certificates' own settings, read in one place with their defaults."""

from datetime import timedelta

from wagtail_learning.defaults import value


def renderer_path() -> str:
    """Dotted path of the class that renders certificate PDFs (a deployer may swap it)."""
    return value("CERTIFICATES_RENDERER")


def pending_grace() -> timedelta:
    """How long a pending certificate may wait for its render task before the sweep takes
    the task as lost and queues it again."""
    return timedelta(seconds=value("CERTIFICATES_PENDING_GRACE_SECONDS"))
