from django.contrib import messages
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponseForbidden
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.admin.widgets.button import MenuItem
from wagtail.models import Page, ReferenceIndex
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from wagtail_learning.org.api import OwnedViewSetMixin

from .forms import draft_prerequisites
from .media import after_lecture_saved
from .models import Lecture, ModulePage, Quiz


class PosterColumn(Column):
    """A small poster thumbnail, so editors recognise lectures at a glance."""

    cell_template_name = "modules/admin/poster_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["poster"] = instance.poster
        return context


class LectureIndexView(IndexView):
    """Each row's actions menu also leads to where a lecture is used and to its history,
    so an editor need not open the lecture first."""

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.get_edit_url(instance):
            for label, name, icon, priority in [
                (_("Usage"), "usage", "link", 25),
                (_("History"), "history", "history", 26),
            ]:
                url = reverse(f"wagtailsnippets_modules_lecture:{name}", args=[quote(instance.pk)])
                buttons.append(MenuItem(label, url=url, icon_name=icon, priority=priority))
        return buttons


class LectureViewSet(OwnedViewSetMixin, SnippetViewSet):
    model = Lecture
    index_view_class = LectureIndexView
    icon = "media"
    menu_label = _("Lecture library")
    menu_name = "lectures"
    # The first column is Wagtail's title column: a link to the edit view and the actions
    # menu (edit, copy, usage, history, delete).
    list_display = [
        "title",
        PosterColumn("poster", label=_("Poster")),
        Column("status_display", label=_("Status")),
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


class QuizViewSet(OwnedViewSetMixin, SnippetViewSet):
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


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def read_the_lecture_video(request, instance):
    """Large videos go to the task queue to be probed; every video without a poster gets a
    frame of itself."""
    if isinstance(instance, Lecture):
        after_lecture_saved(instance)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def tell_the_editor_about_draft_prerequisites(request, page):
    """A draft prerequisite is allowed, but it locks the module until it is published."""
    if not isinstance(page, ModulePage):
        return
    drafts = draft_prerequisites(page)
    if drafts:
        messages.warning(
            request,
            _(
                "%(modules)s is not published yet: this module stays locked for learners "
                "until it is."
            )
            % {"modules": ", ".join(p.title for p in drafts)},
        )


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
