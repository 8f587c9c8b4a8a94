"""Formatting for the insight pages (issue 24)."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def percent(share) -> str:
    """0.375 -> "38 %" (Swedish puts a space before the sign); "–" for no figure."""
    if share is None:
        return "–"
    return f"{floatformat(share * 100, 0)} %"


@register.filter
def decimal2(value) -> str:
    """A coefficient with two decimals, in the active language's notation; "–" for none."""
    if value is None:
        return "–"
    return floatformat(value, 2)
