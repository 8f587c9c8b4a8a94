"""A cmi5 AU launched for a learner: the launch parameters, a fetch URL that hands the
auth token out once, and the AU's LRS endpoint, which checks the token and the learner and
completes the step when the AU's moveOn is met."""

import json
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import CoursePageFactory, ModulePageFactory, editor_of, enrolled_learner, route
from tests.packages.builders import cmi5_package
from tests.packages.conftest import make_package, package_step
from wagtail_learning.lms import api as lms

VERBS = "http://adlnet.gov/expapi/verbs/"


def _launch(client, module, step) -> dict:
    page = client.get(route(module, "step", step["id"]))
    assert page.status_code == 200
    launch = page.context["package_player"]["launch"]
    params = {key: values[0] for key, values in parse_qs(urlsplit(launch).query).items()}
    params["path"] = urlsplit(launch).path
    return params


def _statement(params, verb, **extra) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": json.loads(params["actor"]),
        "verb": {"id": VERBS + verb},
        "object": {"id": params["activityId"], "objectType": "Activity"},
        "context": {"registration": params["registration"]},
        **extra,
    }


def _lrs(client, params, resource, token, method="post", body=None, **query):
    url = params["endpoint"].split("testserver", 1)[1] + resource
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return getattr(client, method)(
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {token}",
        HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
    )


@pytest.mark.django_db
def test_a_cmi5_au_is_launched_reports_and_its_move_on_completes_the_module(client):
    package = make_package(cmi5_package())
    course = CoursePageFactory()
    step = package_step(package)
    module = ModulePageFactory(parent=course, steps=[step])
    learner = enrolled_learner(course)
    client.force_login(learner)

    params = _launch(client, module, step)
    assert params["path"].endswith("/fil/index.html")
    assert params["activityId"] == "https://example.org/au/1"
    assert json.loads(params["actor"])["account"]["name"] == str(learner.pk)
    assert client.get(params["path"]).status_code == 200  # the AU's page, access-checked

    fetch = params["fetch"].split("testserver", 1)[1]
    token = client.post(fetch).json()["auth-token"]
    assert client.post(fetch).json()["error-code"] == "1"  # once only

    launch_data = _lrs(client, params, "activities/state", token, "get", stateId="LMS.LaunchData")
    assert launch_data.json()["moveOn"] == "CompletedAndPassed"
    assert launch_data.json()["masteryScore"] == 0.8
    assert (
        _lrs(
            client, params, "statements", token, body=_statement(params, "initialized")
        ).status_code
        == 200
    )

    assert (
        _lrs(
            client, params, "statements", "bm90OnZhbGlk", body=_statement(params, "completed")
        ).status_code
        == 401
    )
    stranger = dict(params, actor=json.dumps({"account": {"homePage": "x", "name": "y"}}))
    assert (
        _lrs(
            client, params, "statements", token, body=_statement(stranger, "completed")
        ).status_code
        == 403
    )

    _lrs(client, params, "statements", token, body=_statement(params, "completed"))
    assert not lms.Completion.objects.filter(user=learner, page=module).exists()  # and passed
    passed = _statement(params, "passed", result={"score": {"scaled": 0.9}, "success": True})
    assert _lrs(client, params, "statements", token, body=passed).json() == [passed["id"]]
    assert lms.Completion.objects.filter(user=learner, page=module).exists()

    client.force_login(enrolled_learner(course))  # someone else holding the token
    assert (
        _lrs(client, params, "statements", token, body=_statement(params, "completed")).status_code
        == 403
    )


@pytest.mark.django_db
def test_a_preview_does_not_launch_a_cmi5_au(client):
    package = make_package(cmi5_package())
    step = package_step(package)
    module = ModulePageFactory(parent=CoursePageFactory(), steps=[step])
    client.force_login(editor_of(module))

    page = client.get(route(module, "step", step["id"]))
    assert "en förhandsvisning kan inte starta det" in page.content.decode()
    assert "launch" not in page.context["package_player"]
