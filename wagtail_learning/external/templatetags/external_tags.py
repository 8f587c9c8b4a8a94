from django import template

from ..services import is_contact_person as _is_contact_person

register = template.Library()


@register.filter
def is_contact_person(user) -> bool:
    """For the navigation: does `user` have an external organisation's contact page?"""
    return _is_contact_person(user)
