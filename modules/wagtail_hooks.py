from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponseForbidden
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.models import Page, ReferenceIndex
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Lecture, ModulePage, Quiz


class PosterColumn(Column):
    """A small poster thumbnail, so editors recognise lectures at a glance."""

    cell_template_name = "modules/admin/poster_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["poster"] = instance.poster
        return context


class LectureViewSet(SnippetViewSet):
    model = Lecture
    icon = "media"
    menu_label = _("Lecture library")
    menu_name = "lectures"
    list_display = [
        PosterColumn("poster", label=_("Poster")),
        "title",
        Column("duration_display", label=_("Duration")),
        "speakers",
        "recorded_on",
        UpdatedAtColumn(),
    ]
    list_filter = ["recorded_on"]
    search_fields = ["title", "speakers", "description"]
    ordering = ["title"]

    def get_queryset(self, request):
        return Lecture.objects.select_related("poster")


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    menu_name = "quizzes"
    list_display = [
        "title",
        Column("question_count", label=_("Questions")),
        Column("questions_per_attempt", label=_("Per attempt")),
        Column("pass_mark", label=_("Pass mark (%)")),
        Column("max_attempts", label=_("Attempt limit")),
        UpdatedAtColumn(),
    ]
    search_fields = ["title", "description"]


class LearningContentGroup(SnippetViewSetGroup):
    items = (LectureViewSet, QuizViewSet)
    menu_icon = "media"
    menu_label = _("Learning content")
    menu_name = "learning-content"


register_snippet(LearningContentGroup)


@hooks.register("before_serve_document")
def keep_course_documents_behind_their_modules(document, request):
    """A document used in a module step is handed out only through the module's own
    document route, which checks enrolment and unlocking. Wagtail's document URL serves it
    only to those who may edit one of those modules (and superusers): admin access alone
    (HR of any organisation) is not enough."""
    module_ids = (
        ReferenceIndex.get_references_to(document)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    modules = ModulePage.objects.filter(pk__in=[int(pk) for pk in module_ids if pk.isdigit()])
    if not modules.exists() or request.user.is_superuser:
        return None
    user = request.user
    if user.is_authenticated and any(m.permissions_for_user(user).can_edit() for m in modules):
        return None
    return HttpResponseForbidden(
        _("This document belongs to a course module. Open it from the module.")
    )
