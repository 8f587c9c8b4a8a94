from urllib.parse import urlencode

from django import template
from django.utils.safestring import mark_safe

from wagtail_learning.modules.rich_text import render_step_rich_text

register = template.Library()


@register.simple_tag
def step_rich_text(value, page, step_id):
    """A step's rich text, its document links served through the module (access-checked)."""
    # The HTML is Wagtail's rich text rendering, as the `richtext` filter returns it.
    return mark_safe(render_step_rich_text(value, page=page, step_id=step_id))  # noqa: S308


PREVIEW_STEP_MODE = "step:"


def _preview_query(request, mode: str) -> str:
    query = {"mode": mode}
    if getattr(request, "in_preview_panel", False):
        query["in_preview_panel"] = "true"
    return "?" + urlencode(query)


@register.simple_tag(takes_context=True)
def step_url(context, page, step_id):
    """A step's address; inside a preview, the same preview showing that step, so editors
    can walk a draft module (its real address answers 404 until it is published)."""
    request = context.get("request")
    if getattr(request, "is_preview", False):
        return _preview_query(request, f"{PREVIEW_STEP_MODE}{step_id}")
    return page.url + page.reverse_subpage("step", args=[step_id])


@register.simple_tag(takes_context=True)
def module_overview_url(context, page):
    request = context.get("request")
    if getattr(request, "is_preview", False):
        return _preview_query(request, "")
    return page.url
