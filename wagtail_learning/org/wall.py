"""The wall between organisations: one mechanism for every row that carries a person.

Apps register each model that holds a person's data, with the path from the model to the
person (``register_person_model(Certificate, person="user")``), or to a unit of the
organisation tree (``register_unit_model(Assignment, unit="unit")``). Then:

- ``scope_queryset(user, queryset)`` keeps the rows the user may see: all for superusers;
  for a user with a reporting scope, the rows whose person has a membership in a unit of
  the scope (or whose unit is in it); for everyone else none (with ``own=True``: their own
  rows). A person placed in no unit is in nobody's scope but superusers'.
- ``can_access_person`` / ``can_access_instance`` answer the same question for one row.
- A ``WalledPermissionPolicy`` is registered with Wagtail for every such model, so
  Wagtail's own per-instance checks (edit links, the admin URL finder) ask the wall too.
- ``WalledViewSetMixin`` makes every view a Wagtail viewset builds (index, export, inspect,
  history, usage, and any added later) list and open only what the wall lets through.
- ``scope_log_entries`` hides audit-log entries about people and units out of scope.

Decision 0013 explains why this is one registry and not a function each view calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from .models import Membership, Organisation, ReportingScope
from .scopes import scope_filter

__all__ = [
    "WalledPermissionPolicy",
    "WalledViewSetMixin",
    "can_access_instance",
    "can_access_person",
    "is_walled",
    "register_person_model",
    "register_unit_model",
    "scope_log_entries",
    "scope_queryset",
    "walled_models",
]

PERSON = "person"
UNIT = "unit"


@dataclass(frozen=True)
class _Rule:
    kind: str  # PERSON or UNIT
    path: str  # "pk" for the person (or unit) model itself, else a lookup path


_rules: dict[type[models.Model], _Rule] = {}


def _key(model) -> type[models.Model]:
    return model._meta.concrete_model


def _register(model, rule: _Rule, *, policy: bool) -> None:
    model = _key(model)
    existing = _rules.get(model)
    if existing is not None and existing != rule:
        raise ImproperlyConfigured(f"{model._meta.label} is already walled as {existing}.")
    _rules[model] = rule
    if policy and policy_registry.get_by_type(model, fallback=False) is None:
        register_permission_policy(model, WalledPermissionPolicy(model))


def register_person_model(model, *, person: str = "user", policy: bool = True) -> None:
    """`model` holds a person's data; `person` is the lookup path to the user ("pk" for the
    user model itself). Also registers a WalledPermissionPolicy with Wagtail (unless
    `policy=False`, for models whose app registers its own, like the user model).
    Call from the owning app's ``AppConfig.ready()``."""
    _register(model, _Rule(PERSON, person), policy=policy)


def register_unit_model(model, *, unit: str = "unit", policy: bool = True) -> None:
    """`model` belongs to a unit of the organisation tree (audit entries about it, imports,
    assignments); `unit` is the lookup path to the Organisation ("pk" for Organisation)."""
    _register(model, _Rule(UNIT, unit), policy=policy)


def is_walled(model) -> bool:
    return _key(model) in _rules


def walled_models() -> dict[type[models.Model], str]:
    """Every walled model and the kind of its rule ("person" or "unit")."""
    return {model: rule.kind for model, rule in _rules.items()}


def _rule(model) -> _Rule:
    try:
        return _rules[_key(model)]
    except KeyError:
        raise ImproperlyConfigured(
            f"{model._meta.label} is not registered with the wall (org.api.register_person_model)."
        ) from None


def _people_in_scope(user) -> QuerySet:
    return Membership.objects.filter(scope_filter(user)).values("user_id")


def _units_in_scope(user) -> QuerySet:
    return Organisation.objects.filter(scope_filter(user, "path")).values("pk")


def _lookup(path: str) -> str:
    return "pk__in" if path == "pk" else f"{path}__in"


def scope_queryset(user, queryset: QuerySet, *, own: bool = False) -> QuerySet:
    """The rows of `queryset` (a walled model) that `user` may see. Superusers: all. Users
    with a reporting scope: rows whose person is placed in a unit of the scope (or whose
    unit is in it). Everyone else: none; with `own=True`, their own rows (learner views)."""
    rule = _rule(queryset.model)
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if rule.kind == PERSON:
        condition = Q(**{_lookup(rule.path): _people_in_scope(user)})
        if own:
            condition |= Q(**{rule.path: user.pk})
    else:
        condition = Q(**{_lookup(rule.path): _units_in_scope(user)})
    return queryset.filter(condition)


def can_access_person(user, person, *, own: bool = False) -> bool:
    """May `user` see `person`'s data (`own=True`: their own too)?"""
    if user is None or not user.is_authenticated or not user.is_active or person is None:
        return False
    if user.is_superuser or (own and person.pk == user.pk):
        return True
    return Membership.objects.filter(scope_filter(user), user_id=person.pk).exists()


def can_access_instance(user, instance, *, own: bool = False) -> bool:
    """May `user` see this row of a walled model?"""
    model = type(instance)
    return scope_queryset(user, model._default_manager.filter(pk=instance.pk), own=own).exists()


def scope_log_entries(user, queryset: QuerySet) -> QuerySet:
    """Audit-log entries (ModelLogEntry and the like) `user` may see: entries about a walled
    object (a person's certificate, a person, a unit) only when the wall lets the user see
    that object; an entry whose object is gone is seen only by superusers."""
    if user.is_superuser:
        return queryset
    fields = {field.name for field in queryset.model._meta.get_fields()}
    # Only the walled types that have entries at all get a condition: no subquery over,
    # say, every progress row when no entry is about progress.
    logged = set(queryset.order_by().values_list("content_type_id", flat=True).distinct())
    for model in _rules:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        if content_type.pk not in logged:
            continue
        if "object_id" not in fields:  # e.g. PageLogEntry: pages are never walled
            queryset = queryset.exclude(content_type=content_type)
            continue
        visible = (
            scope_queryset(user, model._default_manager.all())
            .annotate(_wall_id=Cast("pk", output_field=models.CharField()))
            .values("_wall_id")
        )
        queryset = queryset.filter(~Q(content_type=content_type) | Q(object_id__in=visible))
    return queryset


class WalledPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, and then the wall: a permission on a walled model
    reaches only the instances in the user's scope."""

    def instances_user_has_any_permission_for(self, user, actions):
        return scope_queryset(user, super().instances_user_has_any_permission_for(user, actions))

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and can_access_instance(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and can_access_instance(user, instance)

    def users_with_any_permission_for_instance(self, actions, instance):
        users = self.users_with_any_permission(actions)
        rule = _rule(type(instance))
        if rule.kind == PERSON:
            owner = type(instance)._default_manager.filter(pk=instance.pk)
            person_ids = owner.values_list(rule.path, flat=True)
            paths = list(
                Organisation.objects.filter(memberships__user_id__in=person_ids).values_list(
                    "path", flat=True
                )
            )
        else:
            paths = list(
                Organisation.objects.filter(
                    pk__in=type(instance)._default_manager.filter(pk=instance.pk).values(rule.path)
                ).values_list("path", flat=True)
            )
        covering = [
            scope
            for scope in ReportingScope.objects.select_related("unit")
            if any(path.startswith(scope.unit.path) for path in paths)
        ]
        return users.filter(
            Q(is_superuser=True)
            | Q(pk__in=[s.user_id for s in covering if s.user_id])
            | Q(groups__in=[s.group_id for s in covering if s.group_id])
        ).distinct()


class _WallViewMixin:
    """For the views of a walled viewset: listings (index, results, CSV/XLSX export) hold
    only rows the wall lets through; a single object out of scope is a 404."""

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if is_walled(queryset.model):
            queryset = scope_queryset(self.request.user, queryset)
        return queryset

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        if is_walled(type(instance)) and not can_access_instance(self.request.user, instance):
            raise Http404
        return instance


_walled_view_classes: dict[type, type] = {}


def _walled(view_class: type) -> type:
    if issubclass(view_class, _WallViewMixin):
        return view_class
    walled = _walled_view_classes.get(view_class)
    if walled is None:
        walled = type(f"Walled{view_class.__name__}", (_WallViewMixin, view_class), {})
        _walled_view_classes[view_class] = walled
    return walled


class WalledViewSetMixin:
    """Put before ModelViewSet/SnippetViewSet: every view the viewset constructs goes
    through the wall, including views Wagtail adds in later versions."""

    def construct_view(self, view_class, **kwargs):
        return super().construct_view(_walled(view_class), **kwargs)
