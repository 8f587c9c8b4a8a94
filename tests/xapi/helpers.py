from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    choice,
    enrol,
    lecture_step,
    org_unit,
    quiz_step,
    single_choice,
    staff_member,
)
from tests.lrs import KEY, SECRET
from wagtail_learning.lms import api as lms
from wagtail_learning.xapi.models import LrsConnection

_n = itertools.count()


def municipality(lrs=None, *, name=None, actor="account", endpoint=None, enabled=True):
    """A municipality with a unit and, when `lrs` or `endpoint` is given, its LRS."""
    number = next(_n)
    kommun = org_unit(name or f"Kommun {number}")
    unit = org_unit(f"Enhet {number}", kommun)
    connection = None
    if lrs is not None or endpoint is not None:
        connection = LrsConnection(
            organisation=kommun,
            enabled=enabled,
            endpoint=endpoint or lrs.endpoint,
            key=KEY,
            actor=actor,
            home_page=f"https://kommun{number}.example.se",
        )
        connection.secret = SECRET
        connection.save()
    return kommun, unit, connection


def learner_in(unit, marker: str, **kwargs):
    return staff_member(
        unit,
        username=f"anst-{marker}",
        email=f"{marker}@kommun.example.se",
        employee_number=f"nr-{marker}",
        **kwargs,
    )


class LectureAndQuizCourse:
    """A course of one module: a 60-second lecture (90 % to watch) and a one-question quiz."""

    def __init__(self, title="Nationella minoriteter"):
        self.right = choice("Fem", correct=True)
        self.wrong = choice("Tre")
        self.question = single_choice("Hur många nationella minoriteter?", [self.wrong, self.right])
        self.lecture = lecture_step(LectureFactory(duration=timedelta(seconds=60)))
        self.quiz = quiz_step(QuizFactory(title="Minoritetsquiz", questions=[self.question]))
        self.course = CoursePageFactory(title=title)
        self.module = ModulePageFactory(
            parent=self.course, title="Minoriteternas rättigheter", steps=[self.lecture, self.quiz]
        )

    def fresh_module(self):
        return type(self.module).objects.get(pk=self.module.pk)

    def watch(self, user):
        enrol(user, self.course)
        start = timezone.now() - timedelta(seconds=120)
        for second in range(0, 60, 10):
            lms.record_watch(
                user, module=self.fresh_module(), step_id=self.lecture["id"],
                session_id="tab-0001", seq=second // 10, ranges=[(second, second + 10)],
                position=second + 10, media_duration=60,
                now=start + timedelta(seconds=second + 10),
            )  # fmt: skip

    def answer(self, user, *, correct: bool):
        module = self.fresh_module()
        attempt = lms.start_quiz_attempt(user, module=module, step_id=self.quiz["id"])
        chosen = self.right if correct else self.wrong
        return lms.submit_quiz_attempt(
            user, module=module, attempt_id=attempt.pk,
            answers={self.question["id"]: [chosen["id"]]},
        )  # fmt: skip
