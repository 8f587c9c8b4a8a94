"""The JSON API at /api/v1/: bad input gets a 4xx (never a 5xx), session auth needs CSRF,
and the OpenAPI document is served (lms/rest.py)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    api_post,
    enrolled_learner,
    lecture_step,
    quiz_step,
    reading_step,
    reflection_step,
    route,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import QuizAttempt, StepProgress

REFLECTION = "En tillräckligt lång reflektion om vad jag har lärt mig."


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


@pytest.fixture
def learner(module):
    return enrolled_learner(module.get_parent())


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def valid(name: str, module, attempt_id=None) -> dict:
    lecture, reading, reflection, quiz = (block.id for block in module.steps)
    return {
        "record_heartbeat": {
            "module_id": module.pk,
            "step_id": lecture,
            "session_id": "tab-00000001",
            "seq": 1,
            "ranges": [[0, 2]],
            "position": 2,
            "duration": 750,
        },
        "complete_step": {"module_id": module.pk, "step_id": reading},
        "save_reflection": {"module_id": module.pk, "step_id": reflection, "answer": REFLECTION},
        "start_quiz_attempt": {"module_id": module.pk, "step_id": quiz},
        "submit_quiz_attempt": {"module_id": module.pk, "answers": {}},
    }[name]


POSTS = [
    "record_heartbeat",
    "complete_step",
    "save_reflection",
    "start_quiz_attempt",
    "submit_quiz_attempt",
]


def post(client, name, module, body):
    kwargs = {}
    if name == "submit_quiz_attempt":
        quiz = module.steps[3].id
        kwargs["attempt_id"] = lms.start_quiz_attempt(
            client.learner, module=module, step_id=quiz
        ).pk
    return api_post(client, name, body, **kwargs)


@pytest.fixture
def api(learner_client, learner):
    learner_client.learner = learner
    return learner_client


@pytest.mark.django_db
@pytest.mark.parametrize("name", POSTS)
def test_a_well_formed_body_is_accepted(api, module, name):
    response = post(api, name, module, valid(name, module))

    assert response.status_code == 200, response.content


# Left out, these default to no ranges, position 0, the typed duration, no answers.
OPTIONAL = {"ranges", "position", "duration", "answers"}


def mutations(name: str, base: dict):
    """(label, body) pairs: one thing wrong with an otherwise valid body."""
    yield "empty-body", ""
    yield "not-json", "module_id=1&step_id=x"
    yield "truncated-json", json.dumps(base)[:-3]
    yield "json-array", json.dumps([base])
    yield "json-string", json.dumps("hej")
    yield "json-null", "null"
    yield "invalid-utf8", b'{"module_id": "\xff\xfe"}'
    for key, value in base.items():
        if key not in OPTIONAL:
            yield f"missing-{key}", {k: v for k, v in base.items() if k != key}
        if key != "duration":  # null: the player does not know the file's duration yet
            yield f"null-{key}", base | {key: None}
        yield f"object-{key}", base | {key: {"a": 1}}
        if isinstance(value, int | float):
            yield f"string-{key}", base | {key: "tolv"}
            yield f"negative-{key}", base | {key: -1}
            yield f"huge-{key}", base | {key: 10**30}
            # Python's json (and so the API) reads these non-standard literals.
            yield f"nan-{key}", json.dumps(base | {key: "@"}).replace('"@"', "NaN")
            yield f"infinity-{key}", json.dumps(base | {key: "@"}).replace('"@"', "Infinity")
            yield f"-infinity-{key}", json.dumps(base | {key: "@"}).replace('"@"', "-Infinity")
        if isinstance(value, str):
            yield f"number-{key}", base | {key: 12}
            yield f"list-{key}", base | {key: ["a"]}
            yield f"long-{key}", base | {key: "x" * 100_000}
    if name == "record_heartbeat":
        yield "huge-ranges", base | {"ranges": [[i, i + 1] for i in range(10_000)]}
        yield "negative-range", base | {"ranges": [[-5, 2]]}
        yield "inverted-range", base | {"ranges": [[5, 2]]}
        yield "short-range", base | {"ranges": [[1]]}
        yield "long-range", base | {"ranges": [[1, 2, 3]]}
        yield "string-range", base | {"ranges": [["a", "b"]]}
        yield "ranges-object", base | {"ranges": {"0": 1}}
        for literal in ("[[NaN, NaN]]", "[[0, NaN]]", "[[NaN, 5]]", "[[0, Infinity]]"):
            yield f"range-{literal}", json.dumps(base | {"ranges": "@"}).replace('"@"', literal)
        yield "short-session", base | {"session_id": "abc"}
    if name == "submit_quiz_attempt":
        yield "answers-list", base | {"answers": ["a"]}
        yield "answers-not-lists", base | {"answers": {"q": {"a": 1}}}
        yield "unknown-question", base | {"answers": {"no-such-question": ["x"]}}
        yield "huge-answers", base | {"answers": {f"q{i}": ["x"] for i in range(20_000)}}
        yield "huge-choice-list", base | {"answers": {"q": ["x"] * 200_000}}
    if name in ("complete_step", "start_quiz_attempt", "save_reflection"):
        yield "unknown-step", base | {"step_id": "no-such-step"}
        yield "unknown-module", base | {"module_id": 987654}


STAND_IN = {
    "record_heartbeat": {
        "module_id": 1,
        "step_id": "s",
        "session_id": "tab-00000001",
        "seq": 1,
        "ranges": [[0, 2]],
        "position": 2,
        "duration": 750,
    },
    "complete_step": {"module_id": 1, "step_id": "s"},
    "save_reflection": {"module_id": 1, "step_id": "s", "answer": "a"},
    "start_quiz_attempt": {"module_id": 1, "step_id": "s"},
    "submit_quiz_attempt": {"module_id": 1, "answers": {}},
}
# The labels depend only on the shape of the valid body; the test builds the real one.
MALFORMED = [
    pytest.param(name, label, id=f"{name}-{label}")
    for name in POSTS
    for label, _body in mutations(name, STAND_IN[name])
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "label"), MALFORMED)
def test_a_malformed_body_gets_a_client_error_not_a_server_error(api, module, name, label):
    body = dict(mutations(name, valid(name, module)))[label]

    response = post(api, name, module, body)

    assert 400 <= response.status_code < 500, (label, response.status_code, response.content[:300])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "attempt",
    ["0", "99999999", "9" * 30, "-1", "abc"],
    ids=["zero", "missing", "huge", "neg", "abc"],
)
def test_a_bad_attempt_id_in_the_path_gets_a_client_error(api, module, attempt):
    url = reverse("api-v1:submit_quiz_attempt", kwargs={"attempt_id": 1}).replace(
        "/1/", f"/{attempt}/"
    )

    response = api.post(
        url, data=json.dumps(valid("submit_quiz_attempt", module)), content_type="application/json"
    )

    assert 400 <= response.status_code < 500


@pytest.mark.django_db
def test_a_refused_heartbeat_says_why_and_stores_nothing(api, module):
    body = valid("record_heartbeat", module) | {"ranges": [[0, 1]] * 201}

    response = post(api, "record_heartbeat", module, body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "ranges"]
    assert not StepProgress.objects.exists()


@pytest.mark.django_db
def test_an_unknown_module_is_not_found(api):
    response = api_post(api, "complete_step", {"module_id": 987654, "step_id": "x"})

    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.django_db
def test_a_page_that_is_not_a_module_is_not_found(api, module):
    response = api_post(api, "complete_step", {"module_id": module.get_parent().pk, "step_id": "x"})

    assert response.status_code == 404


# --- CSRF -------------------------------------------------------------------------------------


@pytest.fixture
def strict_client(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    client.learner = learner
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", POSTS)
def test_a_post_without_the_csrf_token_is_refused(strict_client, module, name):
    response = post(strict_client, name, module, valid(name, module))

    assert response.status_code == 403
    assert not StepProgress.objects.filter(completed_at__isnull=False).exists()
    if name == "submit_quiz_attempt":
        assert not QuizAttempt.objects.filter(submitted_at__isnull=False).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", POSTS)
def test_a_post_with_the_pages_csrf_token_is_accepted(strict_client, module, name):
    # The step page hands out the token, as the player and the forms use it.
    strict_client.get(route(module, "step", module.steps[1].id))
    token = strict_client.cookies["csrftoken"].value
    kwargs = {}
    if name == "submit_quiz_attempt":
        kwargs["attempt_id"] = lms.start_quiz_attempt(
            strict_client.learner, module=module, step_id=module.steps[3].id
        ).pk

    response = strict_client.post(
        reverse(f"api-v1:{name}", kwargs=kwargs or None),
        data=json.dumps(valid(name, module)),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_wrong_csrf_token_is_refused(strict_client, module):
    strict_client.get(route(module, "step", module.steps[1].id))

    response = strict_client.post(
        reverse("api-v1:complete_step"),
        data=json.dumps(valid("complete_step", module)),
        content_type="application/json",
        headers={"X-CSRFToken": "x" * 32},
    )

    assert response.status_code == 403


@pytest.mark.django_db
def test_reading_my_progress_needs_no_csrf_token(strict_client):
    assert strict_client.get(reverse("api-v1:my_progress")).status_code == 200


# --- OpenAPI --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_openapi_document_describes_every_endpoint(learner_client):
    response = learner_client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/progress/heartbeat",
        "/api/v1/progress/complete",
        "/api/v1/progress/reflection",
        "/api/v1/quizzes/attempts",
        "/api/v1/quizzes/attempts/{attempt_id}/submit",
        "/api/v1/me/progress",
    }
