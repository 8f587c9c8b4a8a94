"""Who edits shared content: one rule for every model a top-level organisation owns.

Apps register each model whose rows an organisation owns (lectures, quizzes, certificate
designs) with the name of its owner field (``register_owned_model(Lecture)``). Then:

- An owned row is changed, deleted, published, locked or unlocked only by superusers and
  the owner's editors: members of a group tied to the owner (``EditorialGroup``), who also
  hold the model permission. Everyone with a model permission may still see and choose it
  (reuse it, read-only, in their own modules).
- A row with no owner stays as before: anyone with the model permission edits it.
- An ``OwnedPermissionPolicy`` is registered with Wagtail for every such model, and
  ``OwnedViewSetMixin`` makes every view a viewset builds ask it about the object it shows
  (Wagtail's own edit, delete, revision and lock views check only the model permission),
  and a new row (created or copied) belongs to its creator's organisation.

Decision 0035 explains the choice of groups over profiles.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.http import HttpResponseNotAllowed
from django.utils.translation import gettext_lazy as _
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from .models import EditorialGroup

__all__ = [
    "OWNER_ACTIONS",
    "OwnedPermissionPolicy",
    "OwnedViewSetMixin",
    "editing_organisations",
    "is_owned",
    "may_edit",
    "owner_field",
    "register_owned_model",
]

# What only the owner's editors may do to an owned row; "view", "choose" and "add" stay
# with the model permission.
OWNER_ACTIONS = frozenset({"change", "delete", "publish", "lock", "unlock"})

_owner_fields: dict[type[models.Model], str] = {}


def owner_field() -> models.ForeignKey:
    """The `owner` of an owned model: the top-level organisation whose editors edit the
    row; others reuse it read-only. None: anyone with the model permission edits it.
    One definition for every owned model (lectures, quizzes, certificate designs)."""
    return models.ForeignKey(
        "org.Organisation",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def _key(model) -> type[models.Model]:
    return model._meta.concrete_model


def register_owned_model(model, *, owner: str = "owner") -> None:
    """`model`'s rows belong to the top-level organisation in its `owner` field (nullable:
    no owner means editable by anyone with the model permission). Registers an
    OwnedPermissionPolicy with Wagtail. Call from the app's ``AppConfig.ready()``, before
    its viewsets are registered."""
    model = _key(model)
    existing = _owner_fields.get(model)
    if existing is not None and existing != owner:
        raise ImproperlyConfigured(f"{model._meta.label} is already owned through {existing}.")
    _owner_fields[model] = owner
    if policy_registry.get_by_type(model, fallback=False) is None:
        register_permission_policy(model, OwnedPermissionPolicy(model))


def is_owned(model) -> bool:
    return _key(model) in _owner_fields


def _owner_field(model) -> str:
    try:
        return _owner_fields[_key(model)]
    except KeyError:
        raise ImproperlyConfigured(
            f"{model._meta.label} is not registered as owned (org.api.register_owned_model)."
        ) from None


def editing_organisations(user) -> set[int]:
    """The ids of the organisations whose content `user` edits: those their groups are the
    editorial groups of. Read once per user object (one request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_editing_organisations", None)
    if cached is None:
        cached = frozenset(
            EditorialGroup.objects.filter(group__user=user).values_list(
                "organisation_id", flat=True
            )
        )
        user._editing_organisations = cached
    return set(cached)


def owner_id(instance, *, stored: bool = True) -> int | None:
    """The owner of `instance`: for a saved row, the one stored in the database (an object
    rebuilt from an old revision carries the owner it had then, or none), unless
    `stored=False` (a row just read from the database, as in a listing)."""
    attname = instance._meta.get_field(_owner_field(type(instance))).attname
    if stored and instance.pk is not None:
        return (
            type(instance)
            ._default_manager.filter(pk=instance.pk)
            .values_list(attname, flat=True)
            .first()
        )
    return getattr(instance, attname)


def may_edit(user, instance, *, stored: bool = True) -> bool:
    """May `user` take the owner's actions on this row (given the model permission)? Yes
    for a row with no owner, for superusers, and for the owner's editors."""
    owner = owner_id(instance, stored=stored)
    if owner is None:
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or owner in editing_organisations(user)


class OwnedPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, and then ownership: the owner's actions on an owned
    row are its organisation's editors' (and superusers')."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return action not in OWNER_ACTIONS or may_edit(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = super().instances_user_has_any_permission_for(user, actions)
        reading = [action for action in actions if action not in OWNER_ACTIONS]
        if user.is_superuser or (reading and self.user_has_any_permission(user, reading)):
            return queryset
        field = _owner_field(self.model)
        return queryset.filter(
            Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": editing_organisations(user)})
        )

    def users_with_any_permission_for_instance(self, actions, instance):
        users = self.users_with_any_permission(actions)
        owner = owner_id(instance)
        if owner is None or any(action not in OWNER_ACTIONS for action in actions):
            return users
        editors = get_user_model().objects.filter(
            groups__editorial_organisation__organisation_id=owner
        )
        return users.filter(Q(is_superuser=True) | Q(pk__in=editors.values("pk"))).distinct()


class _OwnedViewMixin:
    """For the views of an owned model's viewset: a view about one row asks the policy
    about that row (edit, delete, revisions, publish, lock); index rows link to edit or
    delete only what the user may edit; a new row belongs to the creator's organisation."""

    def _object(self):
        instance = getattr(self, "object", None)
        if isinstance(instance, models.Model) and instance.pk and is_owned(type(instance)):
            return instance
        return None

    def user_has_permission(self, permission):
        allowed = super().user_has_permission(permission)
        instance = self._object()
        if allowed and instance is not None and permission in OWNER_ACTIONS:
            return may_edit(self.request.user, instance)
        return allowed

    # A listing's rows (just read from the database) link to editing or deleting only
    # those the user may edit.
    def get_edit_url(self, *args):
        if args and not may_edit(self.request.user, args[0], stored=False):
            return None
        return super().get_edit_url(*args)

    def get_delete_url(self, *args):
        if args and not may_edit(self.request.user, args[0], stored=False):
            return None
        return super().get_delete_url(*args)


class _OwnedCreateMixin(_OwnedViewMixin):
    """A new row, or a copy of someone else's, belongs to its creator's organisation (when
    they edit for exactly one), else to nobody: never to the organisation it was copied
    from, whose editors would then hold the copier's work."""

    def save_instance(self):
        instance = self.form.instance
        organisations = editing_organisations(self.request.user)
        owner = organisations.pop() if len(organisations) == 1 else None
        setattr(instance, instance._meta.get_field(_owner_field(type(instance))).attname, owner)
        return super().save_instance()


class _OwnedCopyMixin(_OwnedCreateMixin):
    """Wagtail's copy view shows the add form filled in from the original, and that form
    posts to the add view. A POST to the copy view itself would save the form over the
    original (its instance), which anyone allowed to see it could do: refused."""

    def post(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["GET"])


_owned_view_classes: dict[type, type] = {}


def _owned(view_class: type) -> type:
    from wagtail.admin.views.generic.models import CopyViewMixin, CreateView

    if issubclass(view_class, _OwnedViewMixin):
        return view_class
    owned = _owned_view_classes.get(view_class)
    if owned is None:
        if issubclass(view_class, CopyViewMixin):
            mixin = _OwnedCopyMixin
        elif issubclass(view_class, CreateView):
            mixin = _OwnedCreateMixin
        else:
            mixin = _OwnedViewMixin
        owned = type(f"Owned{view_class.__name__}", (mixin, view_class), {})
        _owned_view_classes[view_class] = owned
    return owned


class OwnedViewSetMixin:
    """Put before SnippetViewSet/ModelViewSet: every view the viewset constructs asks the
    ownership rule, including views Wagtail adds in later versions."""

    def construct_view(self, view_class, **kwargs):
        return super().construct_view(_owned(view_class), **kwargs)
