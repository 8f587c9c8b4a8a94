"""A learner plays a package step: every file behind the module's access check, the
runtime's commits kept per learner and attempt, the step completed by the editor's rule."""

import json

import pytest
from django.urls import reverse

from tests.factories import (
    CoursePageFactory,
    ModulePageFactory,
    UserFactory,
    editor_of,
    enrolled_learner,
    reading_step,
    route,
)
from tests.packages.builders import scorm12_package, scorm2004_package
from tests.packages.conftest import make_package, package_step
from wagtail_learning.lms import api as lms
from wagtail_learning.packages.models import PackageAttempt, UnitAttempt


def _file(module, step, path):
    return reverse("packages:file", args=[module.pk, step["id"], path])


def _world(data=None, **step_kwargs):
    package = make_package(data or scorm12_package())
    course = CoursePageFactory()
    step = package_step(package, **step_kwargs)
    module = ModulePageFactory(parent=course, steps=[step])
    return package, course, module, step


def _commit_url(client, module, step) -> str:
    page = client.get(route(module, "step", step["id"]))
    assert page.status_code == 200
    config = page.context["package_player"]
    return config["commit"]


def _post(client, url, cmi, content_type="application/json"):
    return client.post(url, json.dumps({"cmi": cmi}), content_type=content_type)


@pytest.mark.django_db
def test_every_file_of_the_package_is_refused_to_those_without_access(client):
    package, course, module, step = _world()

    for path in ("index.html", "scripts/sco.js", "style/sco.css"):
        assert client.get(_file(module, step, path)).status_code == 403  # not logged in
    client.force_login(UserFactory())  # not enrolled
    assert client.get(_file(module, step, "scripts/sco.js")).status_code == 403
    client.force_login(enrolled_learner(course))
    response = client.get(_file(module, step, "scripts/sco.js"))
    assert response.status_code == 200
    assert b"API_1484_11" in b"".join(response.streaming_content)
    assert client.get(_file(module, step, "imsmanifest.xml")).status_code == 200
    assert client.get(_file(module, step, "missing.js")).status_code == 404
    assert client.get(_file(module, step, "../../etc/passwd")).status_code == 404


@pytest.mark.django_db
def test_package_files_are_sandboxed_and_only_framed_by_the_site(client):
    _package, course, module, step = _world()
    client.force_login(enrolled_learner(course))
    response = client.get(_file(module, step, "index.html"))

    policy = response["Content-Security-Policy"]
    assert "sandbox allow-scripts allow-same-origin allow-forms" in policy
    assert "frame-ancestors 'self'" in policy
    assert "form-action 'none'" in policy
    page = client.get(route(module, "step", step["id"])).content.decode()
    assert 'sandbox="allow-scripts allow-same-origin allow-forms"' in page


@pytest.mark.django_db
def test_a_locked_module_refuses_its_package_files(client):
    _package, course, module, step = _world()
    first = ModulePageFactory(parent=course, steps=[reading_step()])
    module.prerequisites.add(first)
    module.save_revision().publish()
    client.force_login(enrolled_learner(course))

    assert client.get(_file(module, step, "index.html")).status_code == 403


@pytest.mark.django_db
def test_commits_keep_suspend_data_whole_and_a_pass_completes_the_module(client):
    _package, course, module, step = _world(completes_on="passed")
    learner = enrolled_learner(course)
    client.force_login(learner)
    url = _commit_url(client, module, step)
    long_data = "x" * 9000

    answer = {
        "core": {
            "lesson_status": "incomplete",
            "lesson_location": "q2",
            "exit": "suspend",
            "session_time": "00:01:00",
            "total_time": "0000:01:00",
            "score": {"raw": "90", "min": "", "max": ""},
        },
        "suspend_data": long_data,
    }
    response = _post(client, url, answer, content_type="text/plain;charset=UTF-8")  # a beacon
    assert response.json() == {"result": "true", "errorCode": 0}
    attempt = PackageAttempt.objects.get(user=learner)
    assert attempt.units.get().cmi["suspend_data"] == long_data
    assert attempt.total_seconds == 60
    assert not lms.Completion.objects.filter(user=learner, page=module).exists()

    state = client.get(route(module, "step", step["id"])).context["package_player"]
    assert state["resumed"] is True
    assert state["cmi"]["core"]["entry"] == "resume"
    assert state["cmi"]["core"]["lesson_location"] == "q2"
    assert state["cmi"]["suspend_data"] == long_data
    assert state["cmi"]["core"]["total_time"] == "0000:01:00"
    assert state["cmi"]["core"]["student_id"] == str(learner.pk)

    answer["core"].update(lesson_status="passed", exit="", total_time="0000:03:00")
    _post(client, url, answer)
    assert lms.StepProgress.objects.get(user=learner).completed_at is not None
    assert lms.Completion.objects.filter(user=learner, page=module).exists()
    assert PackageAttempt.objects.get(user=learner).total_seconds == 180


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rule", "min_score", "cmi", "completes"),
    [
        ("completed", None, {"completion_status": "completed", "success_status": "failed"}, True),
        ("passed", None, {"completion_status": "completed", "success_status": "failed"}, False),
        ("passed", None, {"completion_status": "incomplete", "success_status": "passed"}, True),
        ("min_score", 80, {"score": {"scaled": "0.79"}}, False),
        ("min_score", 80, {"score": {"scaled": "0.8"}}, True),
        ("min_score", 80, {"score": {"raw": "45", "min": "0", "max": "50"}}, True),
    ],
)
def test_the_editors_rule_decides_when_a_2004_package_completes_the_step(
    client, rule, min_score, cmi, completes
):
    _package, course, module, step = _world(
        scorm2004_package(), completes_on=rule, min_score=min_score
    )
    learner = enrolled_learner(course)
    client.force_login(learner)
    _post(client, _commit_url(client, module, step), cmi)

    done = lms.StepProgress.objects.filter(user=learner, completed_at__isnull=False).exists()
    assert done is completes


@pytest.mark.django_db
def test_a_commit_for_someone_else_or_without_the_token_is_refused(client):
    _package, course, module, step = _world()
    learner = enrolled_learner(course)
    client.force_login(learner)
    url = _commit_url(client, module, step)
    cmi = {"core": {"lesson_status": "completed"}}

    client.force_login(enrolled_learner(course))
    assert _post(client, url, cmi).status_code == 403
    assert _post(client, url.split("?")[0], cmi).status_code == 403
    assert not UnitAttempt.objects.exists()  # opening the page noted the visit, no data


@pytest.mark.django_db
def test_bad_commit_bodies_are_a_400(client, settings):
    _package, course, module, step = _world()
    client.force_login(enrolled_learner(course))
    url = _commit_url(client, module, step)

    assert client.post(url, "{not json", content_type="application/json").status_code == 400
    assert _post(client, url, "a string").status_code == 400
    settings.LMS_PACKAGE_MAX_COMMIT_BYTES = 100
    assert _post(client, url, {"suspend_data": "x" * 200}).status_code == 400


@pytest.mark.django_db
def test_an_editor_previewing_records_nothing(client):
    _package, _course, module, step = _world()
    client.force_login(editor_of(module))
    page = client.get(route(module, "step", step["id"]))

    assert page.status_code == 200
    assert page.context["package_player"]["commit"] == ""
    assert client.get(_file(module, step, "index.html")).status_code == 200


@pytest.mark.django_db
def test_a_new_cycle_starts_the_package_clean(client):
    _package, course, module, step = _world()
    learner = enrolled_learner(course)
    client.force_login(learner)
    _post(
        client,
        _commit_url(client, module, step),
        {
            "core": {"lesson_status": "completed", "exit": "suspend", "lesson_location": "end"},
            "suspend_data": "done",
        },
    )
    assert lms.Completion.objects.filter(user=learner, page=module).exists()

    lms.start_new_cycle(lms.get_enrolment(user=learner, course_id=course.pk))
    state = client.get(route(module, "step", step["id"])).context["package_player"]
    assert state["resumed"] is False
    assert state["cmi"]["core"]["entry"] == "ab-initio"
    assert state["cmi"]["core"]["lesson_status"] == "not attempted"
    assert "suspend_data" not in state["cmi"]
    assert "lesson_location" not in state["cmi"]["core"]


@pytest.mark.django_db
def test_deleting_a_used_package_keeps_the_learners_results(client):
    from django.test import Client

    from tests.factories import SuperuserFactory

    package, course, module, step = _world()
    learner = enrolled_learner(course)
    client.force_login(learner)
    _post(client, _commit_url(client, module, step), {"core": {"lesson_status": "completed"}})

    editor = Client()
    editor.force_login(SuperuserFactory())
    delete = reverse("wagtailsnippets_packages_contentpackage:delete", args=[package.pk])
    assert editor.post(delete).status_code == 302
    attempt = PackageAttempt.objects.get(user=learner)
    assert attempt.package is None and attempt.completion_status == "completed"
    assert lms.Completion.objects.filter(user=learner, page=module).exists()


@pytest.mark.django_db
def test_the_learners_own_record_holds_their_package_attempts(client):
    _package, course, module, step = _world()
    learner = enrolled_learner(course)
    client.force_login(learner)
    cmi = {"core": {"lesson_status": "completed"}, "suspend_data": "mitt svar"}
    _post(client, _commit_url(client, module, step), cmi)

    record = client.get(reverse("learning:training_record_json")).json()
    assert record["packages"][0]["completion"] == "completed"
    assert record["packages"][0]["units"][0]["data"]["suspend_data"] == "mitt svar"
    page = client.get(reverse("learning:training_record")).content.decode()
    assert "record-packages" in page
