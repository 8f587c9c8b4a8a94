"""The results pages in the admin: a list of the evaluations a user may read results of,
and one evaluation's results (whole, per organisation, per unit), with CSV/XLSX export.
Thin: the rules (who reads what, k) are in `results`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_learning.compliance.api import Withheld
from wagtail_learning.lms.http.exports import export_response

from .models import Evaluation, Question
from .results import BREAKDOWNS, evaluations_with_results_for, get_results, may_read_results


def index(request):
    evaluations = evaluations_with_results_for(request.user)
    if not evaluations and not request.user.has_perm("evaluations.view_results_across"):
        raise PermissionDenied
    return render(
        request,
        "evaluations/admin/index.html",
        {
            "evaluations": evaluations,
            "header_title": _("Evaluation results"),
            "page_title": _("Evaluation results"),
            "header_icon": "list-ul",
        },
    )


def _cells(figures) -> list:
    """Answered, mean, 1..5 / yes, no: the figure's cells, or its group's mark."""
    question = figures.question
    if question.kind == Question.Kind.SCALE:
        return [figures.answered, figures.mean, *figures.counts, "", ""]
    if question.kind == Question.Kind.YES_NO:
        return [figures.answered, None, "", "", "", "", "", *figures.counts]
    return [figures.answered, None, "", "", "", "", "", "", ""]


def _export_rows(results):
    for group in [results.total, *results.rows]:
        for index, question in enumerate(results.questions):
            if isinstance(group.questions, Withheld):
                cells = [str(group.questions)] * 9
                answers = str(group.answers)
            else:
                cells = _cells(group.questions[index])
                answers = group.answers
            yield [group.label, answers, question.text, question.get_kind_display(), *cells]


def results(request, evaluation_id: int):
    evaluation = get_object_or_404(Evaluation.objects.select_related("page"), pk=evaluation_id)
    if not may_read_results(request.user, evaluation):
        raise PermissionDenied
    by = request.GET.get("by", "total")
    data = get_results(request.user, evaluation, by=by)
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        header = [
            _("Group"), _("Answers"), _("Question"), _("Kind of answer"), _("Answered"),
            _("Mean"), "1", "2", "3", "4", "5", _("Yes"), _("No"),
        ]  # fmt: skip
        return export_response(
            request,
            fmt=fmt,
            filename=f"utvardering-{evaluation.pk}",
            header=header,
            rows=_export_rows(data),
            audit_units=[evaluation],
            what="evaluation results",
            title_lines=[
                evaluation.title,
                _("Taken %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
            ],
        )
    return render(
        request,
        "evaluations/admin/results.html",
        {
            "results": data,
            "evaluation": evaluation,
            "breakdowns": [
                ("total", _("All answers")),
                ("organisation", _("Per organisation")),
                ("unit", _("Per unit")),
            ],
            "by": data.by,
            "kinds": Question.Kind,
            "header_title": evaluation.title,
            "page_title": _("Evaluation results"),
            "header_icon": "list-ul",
        },
    )


__all__ = ["BREAKDOWNS", "index", "results"]
