"""Signal handlers at the edge: each a one-line call into the engine."""

from wagtail.models import Page

from .snapshots import forget_module_snapshots


def forget_snapshots_after_page_save(sender, instance, **kwargs):
    """A saved page (published or not) may be a module whose steps, prerequisites or
    opening date changed: heartbeats rebuild their module snapshots."""
    if isinstance(instance, Page):
        forget_module_snapshots()
