"""The calendar of events in the site's navigation, without a query on every page."""

from django import template
from django.core.cache import cache

from ..models import EventIndexPage

register = template.Library()

CALENDAR_URL_KEY = "events:calendar-url"
CALENDAR_URL_SECONDS = 3600


@register.simple_tag(takes_context=True)
def events_calendar_url(context) -> str:
    """The live calendar's URL on this site, or "" when there is none. Cached (the shared
    cache in production) and forgotten whenever a calendar page is saved, published,
    unpublished, moved or deleted (events.handlers.forget_calendar_url)."""
    url = cache.get(CALENDAR_URL_KEY)
    if url is None:
        page = EventIndexPage.objects.live().public().first()
        url = page.get_url(context.get("request")) if page else ""
        url = url or ""
        cache.set(CALENDAR_URL_KEY, url, CALENDAR_URL_SECONDS)
    return url
