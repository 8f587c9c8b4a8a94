from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


@register.inclusion_tag("breadcrumbs.html")
def breadcrumbs(page, extra_title=None):
    """Ancestors below the tree root, then the page itself (one query)."""
    crumbs = [{"title": p.title, "url": p.url} for p in page.get_ancestors().filter(depth__gt=1)]
    crumbs.append({"title": page.title, "url": page.url})
    if extra_title:
        crumbs.append({"title": extra_title, "url": ""})
    return {"crumbs": crumbs, "current_link": False}


@register.filter
def minutes(value):
    """45 -> '45 min', 135 -> '2 h 15 min'."""
    if not value:
        return ""
    hours, mins = divmod(int(value), 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    if hours:
        return f"{hours} h"
    return f"{mins} min"


@register.filter
def clock(value):
    """A position in seconds as a clock reading: 42.5 -> '0:42', 3725 -> '1:02:05'."""
    hours, rest = divmod(int(value or 0), 3600)
    mins, secs = divmod(rest, 60)
    return f"{hours}:{mins:02d}:{secs:02d}" if hours else f"{mins}:{secs:02d}"


@register.simple_tag
def content_lang():
    """` lang="sv"` on an element holding what editors and learners wrote (in the site's
    language, LANGUAGE_CODE) when the interface is in another language; else nothing."""
    content = settings.LANGUAGE_CODE
    if (get_language() or content).split("-")[0] == content.split("-")[0]:
        return ""
    return format_html(' lang="{}"', content)
