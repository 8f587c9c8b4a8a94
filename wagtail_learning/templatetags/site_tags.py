import re

from django import template
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from wagtail_learning.lms import api as lms

register = template.Library()

TITLE_SEPARATOR = " – "
_TITLE_PARTS = re.compile(r"(?:^|\s+)–(?:\s+|$)")


def distinct_title_parts(text: str) -> str:
    """The parts of a page title (the step, the module or page, the site, joined by " – "),
    each once, in order, empty ones left out: "Grund – Grund – Lärplattformen" becomes
    "Grund – Lärplattformen". A step titled as its module or a home page titled as the site
    would otherwise be read out twice."""
    seen: set[str] = set()
    parts = []
    for part in _TITLE_PARTS.split(text.strip()):
        part = part.strip()
        if part and part.casefold() not in seen:
            seen.add(part.casefold())
            parts.append(part)
    return TITLE_SEPARATOR.join(parts)


class _DocumentTitleNode(template.Node):
    child_nodelists = ("nodelist",)  # so that {% block %}s inside it are found and filled

    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        # What is inside was rendered (and escaped) by the template engine.
        return mark_safe(distinct_title_parts(self.nodelist.render(context)))  # noqa: S308


@register.tag
def document_title(parser, token):
    """{% document_title %}{% block title %}…{% endblock %} – {{ site }}{% enddocument_title %}:
    the base template's <title>, each part once (`distinct_title_parts`)."""
    nodelist = parser.parse(("enddocument_title",))
    parser.delete_first_token()
    return _DocumentTitleNode(nodelist)


@register.inclusion_tag("wagtail_learning/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, page, extra_title=None):
    """Ancestors below the tree root, then the page itself: no query when routing read
    the ancestors on its way to the page (`request.page_ancestry`, home.routing), else
    one."""
    crumbs = [{"title": p.title, "url": p.url} for p in _ancestors(context.get("request"), page)]
    crumbs.append({"title": page.title, "url": page.url})
    if extra_title:
        crumbs.append({"title": extra_title, "url": ""})
    return {"crumbs": crumbs, "current_link": False}


def _ancestors(request, page) -> list:
    """The page's ancestors below the tree root (depth 1), top down."""
    ancestry = getattr(request, "page_ancestry", None) or {}
    paths = [page.path[: depth * page.steplen] for depth in range(2, page.depth)]
    if all(path in ancestry for path in paths):
        return [ancestry[path] for path in paths]
    return list(page.get_ancestors().filter(depth__gt=1))


@register.simple_tag
def may_use_admin(user) -> bool:
    """Whether the header offers the admin: staff, or anyone with Wagtail's
    `wagtailadmin.access_admin` permission as `user.has_perm` answers it with the model
    backend (every backend in AUTHENTICATION_BACKENDS is one): active, and superuser or
    holding the permission directly or through a group. Kept in the cache per user until
    the next edit (a permission or group granted or taken away is one: home.handlers), so
    no query when kept; else one instead of the two that load every permission the user
    has."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return lms.cached_until_edit(f"may-use-admin:{user.pk}", lambda: _holds_access_admin(user))


def _holds_access_admin(user) -> bool:
    return (
        Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
        .filter(Q(user=user) | Q(group__user=user))
        .exists()
    )


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


class ScrollRegionNode(template.Node):
    def __init__(self, nodelist, labelledby):
        self.nodelist = nodelist
        self.labelledby = labelledby

    def render(self, context):
        return format_html(
            '<div class="table-scroll" role="region" tabindex="0" aria-labelledby="{}">{}</div>',
            self.labelledby.resolve(context),
            self.nodelist.render(context),
        )


@register.tag
def scroll_region(parser, token):
    """`{% scroll_region "caption-id" %}<table>…</table>{% endscroll_region %}`: content
    wider than the screen (a table) scrolls inside its own box, never the page (WCAG 1.4.10
    reflow), and the box is a region the keyboard can reach and scroll (tabindex 0, WCAG
    2.1.1) named by the element with that id (the table's caption or the heading above).
    Every `.table-scroll` is made here, so none can be left unreachable."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(
            f"{bits[0]} takes one argument: the id of the element that names the region"
        )
    nodelist = parser.parse(("endscroll_region",))
    parser.delete_first_token()
    return ScrollRegionNode(nodelist, parser.compile_filter(bits[1]))
