"""Junk posted to the learner-facing forms (a module's step forms, self-enrolment, the
certificate check) is answered with a 4xx and a message, or ignored; never a 5xx, and
nothing stored is lost or half-written."""

from __future__ import annotations

import json

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    UserFactory,
    enrolled_learner,
    lecture_step,
    quiz_step,
    reading_step,
    reflection_step,
    route,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Completion, Enrolment, QuizAttempt, StepProgress

pytestmark = pytest.mark.django_db

TEXT_JUNK = [
    "",
    " ",
    "\x00",
    "Ett svar som är långt nog \x00 med ett NUL-tecken i.",
    "x" * 20_001,
    "\ud800",  # a lone surrogate: not encodable
]


def stored() -> dict:
    return {
        model.__name__: sorted(
            json.dumps(model_to_dict(row), sort_keys=True, default=str)
            for row in model.objects.all()
        )
        for model in (Enrolment, StepProgress, QuizAttempt, Completion)
    }


def post(client, url, data):
    """POST form fields given as (name, value) pairs, encoded by hand so that values a
    browser would never send (lone surrogates) still arrive."""
    body = "&".join(f"{_quote(name)}={_quote(value)}" for name, value in data)
    return client.generic(
        "POST", url, data=body.encode(), content_type="application/x-www-form-urlencoded"
    )


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@pytest.fixture
def module():
    return ModulePageFactory(
        steps=[
            lecture_step(LectureFactory()),
            reading_step(),
            reflection_step(min_length=10),
            quiz_step(QuizFactory()),
        ]
    )


def test_junk_in_the_step_forms_is_a_4xx_and_changes_nothing(client, module):
    learner = enrolled_learner(module.get_parent())
    _lecture, _reading, reflection, quiz = (block.id for block in module.steps)
    lms.save_reflection(learner, module=module, step_id=reflection, answer="Redan sparad text.")
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=quiz)
    client.force_login(learner)
    before = stored()
    failures = []

    def expect_4xx(url, data):
        response = post(client, url, data)
        if not 400 <= response.status_code < 500:
            failures.append((url, data[:3], response.status_code))

    for text in TEXT_JUNK:
        expect_4xx(route(module, "step", reflection), [("answer", text)])
    for attempt_id in ["", "abc", "-1", "9" * 40, "1.5", str(attempt.pk + 1000), "\x00"]:
        expect_4xx(route(module, "step", quiz), [("attempt", attempt_id), ("q-x", "y")])
    for key, value in [
        ("q-unknown", "choice"),
        ("q-" + "\x00", "a"),
        ("q-", ""),
        ("q-" + "x" * 5000, "y" * 5000),
    ]:
        expect_4xx(route(module, "step", quiz), [("attempt", str(attempt.pk)), (key, value)])
    # A lecture step takes no form.
    expect_4xx(route(module, "step", module.steps[0].id), [("answer", "x")])
    # Steps that do not exist, with junk ids.
    for step_id in ["nope", "9" * 300, "%00"]:
        response = post(client, route(module, "step", "x").replace("/x/", f"/{step_id}/"), [])
        if not 400 <= response.status_code < 500:
            failures.append((step_id, response.status_code))

    assert failures == []
    assert stored() == before


def test_junk_posted_to_enrolment_is_never_a_server_error(client):
    course = CoursePageFactory()
    client.force_login(UserFactory())
    url = course.url + course.reverse_subpage("enrol")
    for data in [[("x", "\x00")], [("course", "9" * 400)], [("\ud800", "\ud800")], []]:
        response = post(client, url, data)
        assert response.status_code < 500, data


@pytest.mark.parametrize(
    "code", ["", "\x00", "x" * 5000, "9" * 40, "<script>", "\ud800", "ÅÄÖ-ÅÄÖ-ÅÄ", "%", "../../etc"]
)
def test_junk_typed_into_the_certificate_check_is_a_4xx_with_a_message(client, code):
    from urllib.parse import quote

    response = client.get(
        reverse("certificates:verify") + "?code=" + quote(code.encode("utf-8", "surrogatepass"))
    )
    assert 400 <= response.status_code < 500
    assert response.status_code == 429 or "form-errors" in response.content.decode()
    if code.strip() and "\x00" not in code and "\ud800" not in code and "/" not in code:
        direct = client.get(f"/certificates/verify/{quote(code)}/")
        assert 400 <= direct.status_code < 500
