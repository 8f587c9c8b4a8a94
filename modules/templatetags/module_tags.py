from django import template
from django.utils.safestring import mark_safe

from modules.rich_text import render_step_rich_text

register = template.Library()


@register.simple_tag
def step_rich_text(value, page, step_id):
    """A step's rich text, its document links served through the module (access-checked)."""
    # The HTML is Wagtail's rich text rendering, as the `richtext` filter returns it.
    return mark_safe(render_step_rich_text(value, page=page, step_id=step_id))  # noqa: S308
