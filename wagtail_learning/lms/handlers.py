"""Signal handlers at the edge: each a one-line call into the engine."""

from wagtail.models import Page

from .snapshots import forget_module_snapshots


def forget_snapshots_after_page_save(sender, instance, **kwargs):
    """A saved page (published or not) may be a module whose steps, prerequisites or
    opening date changed: heartbeats rebuild their module snapshots."""
    if isinstance(instance, Page):
        forget_module_snapshots()


def forget_snapshots_after_page_delete(sender, instance, **kwargs):
    """A deleted page may be a module (or a module's prerequisite): cached module lists
    and snapshots must not show it."""
    if isinstance(instance, Page):
        forget_module_snapshots()


def forget_snapshots_after_site_change(sender, instance, **kwargs):
    """A site saved or deleted changes page URLs, which cached module lists hold."""
    forget_module_snapshots()
