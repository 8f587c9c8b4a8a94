"""The demo's e-learning course (issue 23): a SCORM 1.2 and a SCORM 2004 package, each the
step of a module; a learner who passes the first completes its module, which opens the
second. Seeding again changes nothing."""

import json
from collections import defaultdict

import pytest
from django.urls import reverse

from home.demo.packages import SLUG, seed_packages
from home.management.commands.seed_demo import Command
from tests.factories import UserFactory, course_index, route
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.lms import api as lms
from wagtail_learning.packages.api import ContentPackage


@pytest.mark.django_db
def test_the_demo_package_course_completes_a_module_by_passing(client):
    command = Command()
    command.verbosity = 0
    command.outcomes = defaultdict(lambda: defaultdict(int))
    catalogue = course_index()
    seed_packages(command, catalogue)
    seed_packages(command, catalogue)  # again: nothing new

    course = CoursePage.objects.get(slug=SLUG)
    first, second, third = course.get_lms_modules()
    assert {p.standard for p in ContentPackage.objects.all()} == {"scorm12", "scorm2004", "cmi5"}
    assert ContentPackage.objects.count() == 3
    assert third.get_lms_prerequisites() == [second]
    learner = UserFactory()
    lms.enrol_learner(learner, course=course)
    assert not lms.check_module_access(user=learner, module=second).allowed

    client.force_login(learner)
    step = first.get_lms_steps()[0]
    page = client.get(route(first, "step", step.step_id))
    assert page.status_code == 200
    sco = client.get(reverse("packages:file", args=[first.pk, step.step_id, "sco.js"]))
    assert sco.status_code == 200
    commit = page.context["package_player"]["commit"]
    body = {"cmi": {"core": {"lesson_status": "passed", "score": {"raw": "100"}}}}
    client.post(commit, json.dumps(body), content_type="application/json")

    assert lms.Completion.objects.filter(user=learner, page=first).exists()
    assert lms.check_module_access(user=learner, module=second).allowed

    # The SCORM 2004 part is two SCOs (decision 0047): a table of contents, reading first.
    step = second.get_lms_steps()[0]
    page = client.get(route(second, "step", step.step_id))
    html = page.content.decode()
    assert 'aria-current="step">Diskrimineringsgrunderna</a>' in html
    assert "Kontrollfråga" in html
    assert page.context["package_player"]["launch"].endswith("/fil/grunderna/index.html")
    for unit in ("grunderna", "fragan"):
        commit = client.get(route(second, "step", step.step_id) + f"?del={unit}").context[
            "package_player"
        ]["commit"]
        body = {"cmi": {"completion_status": "completed", "success_status": "passed"}}
        if unit == "grunderna":
            body = {"cmi": {"completion_status": "completed"}}
        client.post(commit, json.dumps(body), content_type="application/json")
    assert lms.Completion.objects.filter(user=learner, page=second).exists()
