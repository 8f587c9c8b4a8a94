"""The calendar of events in the site's navigation, without a query on every page."""

from django import template

from wagtail_learning.lms.api import cached_until_edit

from ..models import EventIndexPage

register = template.Library()


def _calendar_url() -> str:
    page = EventIndexPage.objects.live().public().first()
    return (page.get_url() or "") if page else ""


@register.simple_tag
def events_calendar_url() -> str:
    """The live calendar's URL, or "" when there is none: kept until the next edit (any
    page saved, published, unpublished, moved or deleted starts a new generation), the
    same way as the course page's module list; built afresh without a shared cache."""
    return cached_until_edit("events:calendar-url", _calendar_url)
