"""The event editor's form: organisation choices stop at the wall."""

from __future__ import annotations

from django.db.models import Q
from wagtail.admin.forms import WagtailAdminPageForm

from wagtail_learning.org.api import Organisation, get_scope_units


def _choices(user, instance, field: str):
    """Top-level organisations in the user's scope (superusers: all), plus those the page
    already names: an editor never sees the list of other organisations."""
    roots = Organisation.objects.filter(depth=1)
    if user is not None and user.is_superuser:
        return roots.order_by("name")
    scope = Q(pk__in=[u.get_root().pk for u in get_scope_units(user)]) if user else Q(pk__in=[])
    named = Q(pk__in=[])
    if instance is not None and instance.pk:
        # Read as objects: the page of a revision or a draft (the revert and edit views)
        # holds its relations in memory, a modelcluster FakeQuerySet, which cannot answer
        # values_list("pk") (it knows only field names). A real queryset reads the same.
        named = Q(pk__in=[organisation.pk for organisation in getattr(instance, field).all()])
    return roots.filter(scope | named).order_by("name")


class EventPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        for field in ("organisers", "audience_organisations"):
            if field in self.fields:
                self.fields[field].queryset = _choices(user, self.instance, field)
        quotas = self.formsets.get("quotas") if hasattr(self, "formsets") else None
        if quotas is not None:
            allowed = _choices(user, None, "organisers")
            named = [f.instance.organisation_id for f in quotas.forms if f.instance.pk]
            queryset = Organisation.objects.filter(
                Q(pk__in=allowed.values("pk")) | Q(pk__in=named)
            ).order_by("name")
            for form in quotas.forms:
                if "organisation" in form.fields:
                    form.fields["organisation"].queryset = queryset
            _narrow_empty_form(quotas, queryset)


def _narrow_empty_form(formset, queryset) -> None:
    """`empty_form` (the template of a new row) is built afresh on each access: narrow it
    on every access too, through a subclass of this one formset instance."""

    class Narrowed(type(formset)):
        @property
        def empty_form(self):
            form = super().empty_form
            if "organisation" in form.fields:
                form.fields["organisation"].queryset = queryset
            return form

    formset.__class__ = Narrowed
