"""The module editor's form: prerequisites offered as "Course › Module"; a cycle is refused
by the engine's rule (`lms.api.check_prerequisites`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.models import Page

from lms.api import check_prerequisites


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
        # The page's clean() refuses the same on every save; here it becomes a field error.
        chosen = list(self.cleaned_data.get("prerequisites") or [])
        check_prerequisites(self.instance, chosen)
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
