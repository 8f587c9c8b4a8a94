"""Which part of the organisation a user may see in reports: their reporting scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Organisation, ReportingScope

__all__ = ["can_see_unit", "get_scope_units", "is_in_scope", "scope_filter"]


def get_scope_units(user) -> QuerySet[Organisation]:
    """The top units of the user's scope (their own, or any of their groups'). Superusers:
    the roots of the tree. Units inside another scope unit are left out (no double rows).
    A deactivated account has no scope, as the wall gives it nothing (org.wall)."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.get_root_nodes()
    scopes = ReportingScope.objects.filter(
        Q(user=user) | Q(group__in=user.groups.all())
    ).select_related("unit")
    units = sorted({scope.unit for scope in scopes}, key=lambda unit: unit.path)
    tops: list[Organisation] = []
    for unit in units:
        if not any(unit.path.startswith(top.path) for top in tops):
            tops.append(unit)
    return Organisation.objects.filter(pk__in=[unit.pk for unit in tops]).order_by("path")


def scope_filter(user, field: str = "unit__path") -> Q:
    """A Q limiting `field` (a unit path) to the user's scope; matches nothing when the
    user has none."""
    tops = list(get_scope_units(user).values_list("path", flat=True))
    if not tops:
        return Q(pk__in=[])
    condition = Q()
    for path in tops:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def can_see_unit(user, unit: Organisation) -> bool:
    return any(unit.path.startswith(top.path) for top in get_scope_units(user))


def is_in_scope(user, *, person) -> bool:
    """Is `person` placed (a membership) anywhere in `user`'s reporting scope?"""
    from .models import Membership

    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(scope_filter(user), user=person).exists()
