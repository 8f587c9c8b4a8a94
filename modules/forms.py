"""The module editor's form: prerequisites must not point at the module itself or form a
cycle, which would lock the modules involved for every learner for ever."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.models import Page


def find_prerequisite_cycle(
    module_id: int | None, chosen: list, edges: dict[int, set[int]]
) -> list[int]:
    """Ids forming a cycle back to `module_id` through `chosen`, or [] when there is none.

    `edges` maps a module id to the ids of its (saved) prerequisites.
    """
    if module_id is None:
        return []
    stack = [(p.pk, [p.pk]) for p in chosen]
    seen: set[int] = set()
    while stack:
        current, trail = stack.pop()
        if current == module_id:
            return trail
        if current in seen:
            continue
        seen.add(current)
        stack.extend((nxt, [*trail, nxt]) for nxt in edges.get(current, ()))
    return []


class ModulePageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("prerequisites")
        if field is not None:
            queryset = field.queryset.live().order_by("path")
            if self.instance.pk:
                queryset = queryset.exclude(pk=self.instance.pk)
            field.queryset = queryset
            # "Course › Module": module titles repeat across courses ("Grundmodul").
            parents = dict(
                Page.objects.filter(
                    path__in={page.path[: -Page.steplen] for page in queryset}
                ).values_list("path", "title")
            )
            field.label_from_instance = lambda page: (
                f"{parents.get(page.path[: -Page.steplen], '')} › {page.title}"
            )

    def clean_prerequisites(self):
        chosen = list(self.cleaned_data.get("prerequisites") or [])
        model = self.instance.__class__
        through = model.prerequisites.through
        edges: dict[int, set[int]] = {}
        for from_id, to_id in through.objects.values_list("from_modulepage_id", "to_modulepage_id"):
            edges.setdefault(from_id, set()).add(to_id)
        cycle = find_prerequisite_cycle(self.instance.pk, chosen, edges)
        if cycle:
            names = dict(model.objects.filter(pk__in=cycle).values_list("pk", "title"))
            path = " → ".join(names.get(pk, str(pk)) for pk in cycle)
            raise ValidationError(
                _("These prerequisites would lock each other for ever: %(path)s → this module.")
                % {"path": path}
            )
        return chosen


class LectureForm(WagtailAdminModelForm):
    """The lecture editor's form: the duration may be left empty, and is then read from the
    uploaded video (Lecture.clean)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "duration" in self.fields:
            self.fields["duration"].required = False
            self.fields["duration"].help_text = gettext_lazy(
                "As h:mm:ss or mm:ss, e.g. 12:30. Leave empty to read it from the video."
            )
