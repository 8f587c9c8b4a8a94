"""Admin wiring: the question library and the evaluations (owned by an organisation, as
lectures are), the organisations' consent to evaluators, and the results pages."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from wagtail_learning.org.api import OwnedViewSetMixin

from . import admin_views
from .models import Evaluation, OrganisationConsent, Question
from .results import VIEW_ACROSS


class QuestionViewSet(OwnedViewSetMixin, SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Question library")
    menu_name = "evaluation_questions"
    list_display = ["text", "kind", "required"]
    search_fields = ["text"]


class EvaluationViewSet(OwnedViewSetMixin, SnippetViewSet):
    model = Evaluation
    icon = "list-ul"
    menu_label = _("Evaluations")
    menu_name = "evaluations"
    list_display = ["title", "page", "active"]
    search_fields = ["title"]


class EvaluationGroup(SnippetViewSetGroup):
    items = (EvaluationViewSet, QuestionViewSet)
    menu_icon = "list-ul"
    menu_label = _("Evaluations")
    menu_name = "evaluation_group"
    menu_order = 260


register_snippet(EvaluationGroup)


class ConsentViewSet(ModelViewSet):
    """Superusers record which organisations let the evaluators read their results."""

    model = OrganisationConsent
    icon = "lock-open"
    menu_label = _("Consents to evaluators")
    add_to_settings_menu = True
    form_fields = ["organisation", "share_with_evaluators"]
    list_display = ["organisation", "share_with_evaluators"]


@hooks.register("register_admin_viewset")
def register_consent_viewset():
    return ConsentViewSet("evaluation_consents")


class _ResultsMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return (
            user.is_superuser
            or user.has_perm(VIEW_ACROSS)
            or user.has_perm("compliance.view_compliance")
            or user.has_perm("evaluations.change_evaluation")
        )


@hooks.register("register_admin_urls")
def register_results_urls():
    return [
        path("utvarderingar/", admin_views.index, name="evaluations_results"),
        path(
            "utvarderingar/<int:evaluation_id>/",
            admin_views.results,
            name="evaluations_result",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_results_menu_item():
    return _ResultsMenuItem(
        _("Evaluation results"),
        reverse("evaluations_results"),
        icon_name="list-ul",
        order=720,
        name="evaluation_results",
    )


@hooks.register("register_permissions")
def register_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="evaluations", codename="view_results_across"
    )
