from django.contrib import messages
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.widgets.button import HeaderButton, MenuItem
from wagtail.models import Page, ReferenceIndex
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView as SnippetEditView
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from wagtail_learning.org.api import OwnedViewSetMixin
from wagtail_learning.packages.api import ContentPackageViewSet

from . import admin_views
from .caption_duty import check_pages_may_publish
from .captions import format_problem
from .cue_editing import CORRECT_CUE_ACTION
from .forms import draft_prerequisites
from .insight import may_read_insight
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
                (_("Captions"), "captions", "comment", 24),
                (_("Usage"), "usage", "link", 25),
                (_("History"), "history", "history", 26),
            ]:
                url = reverse(f"wagtailsnippets_modules_lecture:{name}", args=[quote(instance.pk)])
                buttons.append(MenuItem(label, url=url, icon_name=icon, priority=priority))
        return buttons


class InsightEditView(SnippetEditView):
    """A lecture's or quiz's edit view: a header button leads to what learners did with it
    (audience retention, question analysis; issue 24), for the editors who may read it
    (modules.insight.may_read_insight), as the library row's menu does."""

    insight_pages = {
        Lecture: (_("Audience retention"), "insight_lecture_retention"),
        Quiz: (_("Question analysis"), "insight_quiz_item_analysis"),
    }

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        label, url_name = self.insight_pages[type(self.object)]
        if may_read_insight(self.request.user, self.object):
            url = reverse(url_name, args=[self.object.pk])
            buttons.append(HeaderButton(label, url=url, icon_name="doc-full"))
        return buttons


class LectureViewSet(OwnedViewSetMixin, SnippetViewSet):
    model = Lecture
    edit_view_class = InsightEditView
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

    def get_urlpatterns(self):
        # The caption editor: cues beside the video (modules.admin_views).
        return super().get_urlpatterns() + [
            path("captions/<int:pk>/", admin_views.caption_editor, name="captions"),
            path(
                "captions/<int:pk>/video/",
                admin_views.caption_editor_video,
                name="captions_video",
            ),
            path(
                "captions/<int:pk>/track/<int:track_id>/",
                admin_views.caption_editor_track,
                name="captions_track",
            ),
        ]


class QuizViewSet(OwnedViewSetMixin, SnippetViewSet):
    model = Quiz
    edit_view_class = InsightEditView
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
    items = (LectureViewSet, QuizViewSet, ContentPackageViewSet)
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


MAX_CAPTION_WARNINGS_SHOWN = 5


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def tell_the_editor_what_makes_captions_hard_to_follow(request, instance):
    """Reading speed and line length do not refuse a caption file, but the editor is told
    (the caption editor lists every one beside its cue)."""
    if not isinstance(instance, Lecture):
        return
    found = instance.caption_warnings()
    for track, problem in found[:MAX_CAPTION_WARNINGS_SHOWN]:
        messages.warning(request, f"{track.display_label}: {format_problem(problem)}")
    if len(found) > MAX_CAPTION_WARNINGS_SHOWN:
        messages.warning(
            request,
            _("%(count)d more remarks on the captions: see Captions in the lecture's menu.")
            % {"count": len(found) - MAX_CAPTION_WARNINGS_SHOWN},
        )


@hooks.register("before_bulk_action")
def refuse_bulk_publishing_modules_without_captions(request, action_type, objects, action):
    """Bulk publishing (a course with its draft modules too) saves no form: the captions
    rule is asked here, and nothing is published when a module would break it."""
    if action_type != "publish":
        return None
    pages = [obj for obj in objects if isinstance(obj, Page)]
    if request.POST.get("include_descendants"):
        for page in list(pages):
            pages.extend(page.get_descendants().not_live().type(ModulePage))
    try:
        check_pages_may_publish(pages)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(get_valid_next_url_from_request(request) or reverse("wagtailadmin_home"))
    return None


@hooks.register("register_log_actions")
def register_caption_log_actions(actions):
    actions.register_action(
        CORRECT_CUE_ACTION, _("Correct a caption cue"), _("Caption cue corrected")
    )


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
