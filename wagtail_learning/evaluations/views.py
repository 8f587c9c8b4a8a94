"""The learner's page to answer an evaluation. Thin: one service call, a template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .errors import AlreadyAnswered, InvalidAnswers
from .models import Participant, Question
from .services import get_open_participation, submit_answers


def _render(request, participant, *, errors=None, given=None, status=200, refused=""):
    return render(
        request,
        "evaluations/answer.html",
        {
            "participant": participant,
            "evaluation": participant.evaluation,
            "questions": participant.evaluation.questions(),
            "kinds": Question.Kind,
            "scale": range(1, 6),
            "errors": errors or {},
            "given": given or {},
            "refused": refused,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, participant_id: int):
    try:
        participant = get_open_participation(request.user, participant_id)
    except Participant.DoesNotExist:
        raise Http404 from None
    if request.method == "GET":
        return _render(request, participant)
    given = {key[2:]: value for key, value in request.POST.items() if key.startswith("q-")}
    try:
        submit_answers(participant, answers=given)
    except InvalidAnswers as error:
        return _render(request, participant, errors=error.errors, given=given, status=400)
    except AlreadyAnswered as error:
        return _render(request, participant, status=409, refused=str(error))
    messages.success(request, _("Thank you for your answers."))
    return redirect("evaluations:answer", participant_id=participant.pk)
