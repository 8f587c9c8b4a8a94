"""Malformed input to every operation of /api/v1/ (enumerated from its OpenAPI document,
so a new endpoint is covered without a change here): each answer is a 4xx with a message,
never a 5xx, and nothing stored changes. The 422 of a body that does not fit the schema is
in the document."""

from __future__ import annotations

import json

import pytest
from django.forms.models import model_to_dict

from tests.factories import (
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    enrolled_learner,
    lecture_step,
    quiz_step,
    reading_step,
    reflection_step,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.http.rest import api
from wagtail_learning.lms.models import Completion, Enrolment, QuizAttempt, StepProgress

pytestmark = pytest.mark.django_db

NESTED = "[" * 100_000 + "]" * 100_000
NOT_JSON = [
    "",
    "not json",
    "{",
    '{"module_id": 1,}',
    "[]",
    "null",
    '"a string"',
    "123",
    NESTED,
    '{"module_id": 1' + "0" * 5000 + "}",  # more digits than Python parses
    "\udcff",
]
# Values that are wrong for a field of each JSON type; written as JSON text, so that NaN,
# Infinity and huge numbers reach the server as a client would send them.
WRONG = {
    "integer": [
        '"abc"',
        "[]",
        "{}",
        "null",
        "1.5",
        "-1",
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "9" * 40,
        "9" * 400,
        NESTED,
    ],
    "number": [
        '"abc"',
        "[]",
        "{}",
        "-1",
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "9" * 400,
        NESTED,
    ],
    "string": [
        "123",
        "[]",
        "{}",
        "null",
        "true",
        '""',
        json.dumps("x" * 100_000),
        NESTED,
        # A NUL character: PostgreSQL stores none, in text or in JSON.
        json.dumps("Ett svar som är långt nog\u0000 med NUL i."),
    ],
    "array": [
        '"abc"',
        "{}",
        "123",
        "null",
        '[["a", "b"]]',
        "[[1]]",
        "[[1, 2, 3]]",
        "[[NaN, 1]]",
        "[[0, Infinity]]",
        "[[1e400, 1]]",
        '[1, "x"]',
        NESTED,
    ],
    "object": [
        '"abc"',
        "[]",
        "123",
        '{"q": "not a list"}',
        '{"q": [1]}',
        '{"\\u0000": ["a"]}',
        NESTED,
    ],
}


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _json_type(prop: dict) -> str:
    for option in [prop, *prop.get("anyOf", [])]:
        if option.get("type") in WRONG:
            return option["type"]
    raise AssertionError(f"no junk for {prop}")


def _operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield schema, path, method, operation


def stored() -> dict:
    """Every row of the engine's learner records, to compare before and after."""
    return {
        model.__name__: sorted(
            json.dumps(model_to_dict(row), sort_keys=True, default=str)
            for row in model.objects.all()
        )
        for model in (Enrolment, StepProgress, QuizAttempt, Completion)
    }


@pytest.fixture
def world(client):
    module = ModulePageFactory(
        steps=[
            lecture_step(LectureFactory()),
            reading_step(),
            reflection_step(min_length=10),
            quiz_step(QuizFactory()),
        ]
    )
    learner = enrolled_learner(module.get_parent())
    lecture, reading, reflection, quiz = (block.id for block in module.steps)
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=quiz)
    lms.save_reflection(learner, module=module, step_id=reflection, answer="Redan sparad text.")
    client.force_login(learner)
    good = {
        "module_id": module.pk,
        "step_id": reading,
        "session_id": "session-0001",
        "seq": 1,
        "ranges": [[0, 5]],
        "position": 5,
        "duration": 60,
        "answer": "Ett svar som är långt nog.",
        "answers": {},
    }
    # Each operation's own kind of step, so that the cases get into the engine.
    steps = {
        "/api/v1/progress/heartbeat": lecture,
        "/api/v1/progress/complete": reading,
        "/api/v1/progress/reflection": reflection,
        "/api/v1/quizzes/attempts": quiz,
    }
    return {"client": client, "good": good, "attempt": attempt, "steps": steps}


def _call(client, method: str, path: str, body: str):
    return client.generic(
        method.upper(),
        path,
        data=body.encode("utf-8", "surrogatepass"),
        content_type="application/json",
    )


def _bodies(schema, operation, good):
    """(what, raw JSON body): bodies that are not JSON, then valid bodies with one field at a
    time set to something wrong for its type, then without each required field."""
    body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body_schema is None:
        return
    body_schema = _resolve(schema, body_schema["schema"])
    for raw in NOT_JSON:
        yield "not JSON: " + raw[:30], raw
    props = body_schema["properties"]
    base = {name: good[name] for name in props if name in good}
    for name, prop in props.items():
        for junk in WRONG[_json_type(_resolve(schema, prop))]:
            others = ", ".join(
                f"{json.dumps(k)}: {json.dumps(v)}" for k, v in base.items() if k != name
            )
            yield (
                f"{name}={junk[:30]}",
                "{" + others + (", " if others else "") + f'"{name}": {junk}' + "}",
            )
    for name in body_schema.get("required", []):
        yield f"without {name}", json.dumps({k: v for k, v in base.items() if k != name})


def test_every_operation_answers_malformed_bodies_with_a_4xx_and_changes_nothing(world):
    client, good, attempt = world["client"], world["good"], world["attempt"]
    before = stored()
    failures = []
    checked = 0
    for schema, path, method, operation in _operations():
        good_here = {**good, "step_id": world["steps"].get(path, good["step_id"])}
        for what, body in _bodies(schema, operation, good_here):
            url = path.replace("{attempt_id}", str(attempt.pk))
            response = _call(client, method, url, body)
            checked += 1
            message_ok = True
            if response.status_code < 500:
                try:
                    detail = response.json().get("detail")
                    message_ok = bool(detail)
                except ValueError:
                    message_ok = False
            if not (400 <= response.status_code < 500 and message_ok):
                failures.append((method, path, what, response.status_code, response.content[:200]))
    assert checked > 200
    assert failures == []
    assert stored() == before


@pytest.mark.parametrize("attempt_id", ["9" * 30, "0", "-1", "abc"])
def test_a_malformed_path_parameter_is_a_4xx(world, attempt_id):
    client, good = world["client"], world["good"]
    body = json.dumps({"module_id": good["module_id"], "answers": {}})
    response = _call(client, "post", f"/api/v1/quizzes/attempts/{attempt_id}/submit", body)
    assert 400 <= response.status_code < 500


def test_the_openapi_document_has_the_validation_error_of_every_operation_with_input():
    for schema, path, method, operation in _operations():
        takes_input = "requestBody" in operation or operation.get("parameters")
        if takes_input:
            assert "422" in {str(code) for code in operation["responses"]}, (method, path)
            content = operation["responses"][422 if 422 in operation["responses"] else "422"]
            ref = content["content"]["application/json"]["schema"]
            detail = _resolve(schema, ref)["properties"]["detail"]
            assert detail["type"] == "array"
