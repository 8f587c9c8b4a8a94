"""A SCORM or cmi5 package's result reaches the learner's LRS like any other learning
event: the packages app knows nothing of xAPI; the package attempt it saves is one of the
xAPI app's event sources (docs/xapi.md)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tests.factories import CoursePageFactory, ModulePageFactory, enrol, route
from tests.packages.builders import cmi5_package, scorm12_package, scorm2004_package
from tests.packages.conftest import make_package, package_step
from tests.packages.test_cmi5 import _launch, _lrs, _statement
from tests.xapi.helpers import learner_in, municipality
from tests.xapi.test_statements_to_the_lrs import COMPLETED, FAILED, PASSED, received
from wagtail_learning.xapi.outbox import send_due

pytestmark = pytest.mark.django_db


def _play(client, learner, data, title="Diskrimineringsgrunderna"):
    """The learner opens the package step; returns a function that commits CMI data as
    the player's runtime does."""
    course = CoursePageFactory(title="Likabehandling")
    step = package_step(make_package(data, title=title), completes_on="passed")
    module = ModulePageFactory(parent=course, title="Del 1", steps=[step])
    enrol(learner, course)
    client.force_login(learner)
    page = client.get(route(module, "step", step["id"]))
    assert page.status_code == 200
    url = page.context["package_player"]["commit"]

    def commit(cmi):
        response = client.post(url, json.dumps({"cmi": cmi}), content_type="application/json")
        assert response.status_code == 200, response.content

    return module, step, commit


def _package_rows(connection):
    return list(connection.outbox.filter(event__startswith="package_").order_by("pk"))


def test_a_scorm_package_passed_arrives_in_the_lrs_once(
    client, lrs, django_capture_on_commit_callbacks
):
    _, unit, connection = municipality(lrs)
    learner = learner_in(unit, "scorm")
    module, step, commit = _play(client, learner, scorm12_package())
    answer = {"core": {"lesson_status": "incomplete", "score": {"raw": "90"}}}

    with django_capture_on_commit_callbacks(execute=True):
        commit(answer)
    assert _package_rows(connection) == []  # incomplete is no result

    answer["core"]["lesson_status"] = "passed"
    with django_capture_on_commit_callbacks(execute=True):
        commit(answer)
        commit(answer)  # the runtime commits again on finishing: the same result
    rows = _package_rows(connection)
    assert [row.event for row in rows] == ["package_passed"]
    assert send_due(now=timezone.now()) == 0  # sent on commit
    sent = received(lrs, rows)[str(rows[0].statement_id)]
    assert lrs.validation_errors() == []
    assert sent["verb"]["id"] == PASSED
    assert sent["result"]["success"] is True
    assert sent["result"]["score"] == {"scaled": 0.9}
    assert sent["object"]["id"].endswith(f"module/{module.pk}/step/{step['id']}")
    assert sent["object"]["definition"]["name"] == {"sv-SE": "Diskrimineringsgrunderna"}
    parents = sent["context"]["contextActivities"]
    assert parents["parent"][0]["definition"]["name"] == {"sv-SE": "Del 1"}
    assert parents["grouping"][0]["definition"]["name"] == {"sv-SE": "Likabehandling"}


def test_each_outcome_of_an_attempt_is_one_statement(
    client, lrs, django_capture_on_commit_callbacks
):
    _, unit, connection = municipality(lrs)
    learner = learner_in(unit, "scorm2004")
    _module, _step, commit = _play(client, learner, scorm2004_package())

    with django_capture_on_commit_callbacks(execute=True):
        commit({"completion_status": "completed", "success_status": "unknown"})
        commit({"completion_status": "completed", "success_status": "unknown"})
        commit({"completion_status": "completed", "success_status": "failed",
                "score": {"scaled": "0.3"}})  # fmt: skip
        commit({"completion_status": "completed", "success_status": "failed",
                "score": {"scaled": "0.3"}})  # fmt: skip
    rows = _package_rows(connection)
    assert [row.event for row in rows] == ["package_completed", "package_failed"]
    sent = received(lrs, rows)
    verbs = [sent[str(row.statement_id)]["verb"]["id"] for row in rows]
    assert verbs == [COMPLETED, FAILED]
    assert sent[str(rows[1].statement_id)]["result"]["score"] == {"scaled": 0.3}


def test_a_cmi5_au_completed_then_passed_is_two_statements(
    client, lrs, django_capture_on_commit_callbacks
):
    _, unit, connection = municipality(lrs)
    learner = learner_in(unit, "cmi5")
    course = CoursePageFactory(title="Likabehandling")
    step = package_step(make_package(cmi5_package()), completes_on="passed")
    module = ModulePageFactory(parent=course, title="Del 3", steps=[step])
    enrol(learner, course)
    client.force_login(learner)
    params = _launch(client, module, step)
    token = client.post(params["fetch"].split("testserver", 1)[1]).json()["auth-token"]

    passed = _statement(params, "passed", result={"score": {"scaled": 0.9}, "success": True})
    with django_capture_on_commit_callbacks(execute=True):
        for statement in (_statement(params, "initialized"), _statement(params, "completed")):
            assert _lrs(client, params, "statements", token, body=statement).status_code == 200
        assert _lrs(client, params, "statements", token, body=passed).status_code == 200
        terminated = _statement(params, "terminated")
        assert _lrs(client, params, "statements", token, body=terminated).status_code == 200
    rows = _package_rows(connection)
    assert [row.event for row in rows] == ["package_completed", "package_passed"]
    sent = received(lrs, rows)
    assert [sent[str(row.statement_id)]["verb"]["id"] for row in rows] == [COMPLETED, PASSED]
    assert sent[str(rows[1].statement_id)]["result"]["score"] == {"scaled": 0.9}
    assert lrs.validation_errors() == []


def test_each_au_of_a_multi_au_course_is_its_own_statement_once(
    client, lrs, django_capture_on_commit_callbacks
):
    """Decision 0047: each AU's result is a statement about that AU, once per outcome
    however often the AU repeats it; the step's own result (the course satisfied) too."""
    from collections import Counter
    from urllib.parse import parse_qs, urlsplit

    from tests.packages.builders import cmi5_multi_package

    _, unit, connection = municipality(lrs)
    learner = learner_in(unit, "cmi5-multi")
    course = CoursePageFactory(title="Likabehandling")
    step = package_step(make_package(cmi5_multi_package()), completes_on="completed")
    module = ModulePageFactory(parent=course, title="Del 3", steps=[step])
    enrol(learner, course)
    client.force_login(learner)

    with django_capture_on_commit_callbacks(execute=True):
        for au, verbs in (("1", ["completed", "passed", "passed"]), ("2", ["completed"] * 2)):
            url = route(module, "step", step["id"]) + f"?del=https://example.org/au/{au}"
            launch = client.get(url).context["package_player"]["launch"]
            params = {k: v[0] for k, v in parse_qs(urlsplit(launch).query).items()}
            token = client.post(params["fetch"].split("testserver", 1)[1]).json()["auth-token"]
            for verb in verbs:
                extra = {"result": {"score": {"scaled": 0.9}}} if verb == "passed" else {}
                body = _statement(params, verb, **extra)
                assert _lrs(client, params, "statements", token, body=body).status_code == 200
    rows = _package_rows(connection)
    sent = received(lrs, rows)
    assert lrs.validation_errors() == []
    statements = [sent[str(row.statement_id)] for row in rows]
    seen = Counter(
        (s["object"]["definition"].get("name", {}).get("sv-SE"), s["verb"]["id"])
        for s in statements
    )
    assert all(count == 1 for count in seen.values()), seen
    assert {("Del 1", COMPLETED), ("Del 1", PASSED), ("Del 2", COMPLETED)} <= set(seen)
    step_results = [s for s in statements if "/unit/" not in s["object"]["id"]]
    # The step's own: the course satisfied with an AU passed, at once: one "passed".
    assert [s["verb"]["id"] for s in step_results] == [PASSED]
