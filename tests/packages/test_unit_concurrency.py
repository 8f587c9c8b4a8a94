"""Two units' commits at the same moment (the beacon of the SCO left and the first commit
of the next, decision 0047): both land and the rollup sees both. Needs PostgreSQL's row
locks and real concurrent transactions."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from tests.factories import CoursePageFactory, ModulePageFactory, enrolled_learner, route
from tests.packages.builders import scorm2004_multi_package
from tests.packages.conftest import make_package, package_step
from wagtail_learning.lms import api as lms
from wagtail_learning.packages.models import PackageAttempt, UnitAttempt

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


@pytest.mark.parametrize("rounds", [3])
def test_two_scos_commits_at_once_both_land_and_complete_the_package(rounds):
    package = make_package(scorm2004_multi_package())
    course = CoursePageFactory()
    step = package_step(package)
    module = ModulePageFactory(parent=course, steps=[step])
    learner = enrolled_learner(course)
    client = Client()
    client.force_login(learner)
    urls = {}
    for unit in ("sco-1", "sco-2"):
        page = client.get(route(module, "step", step["id"]) + f"?del={unit}")
        urls[unit] = page.context["package_player"]["commit"]

    for number in range(rounds):
        barrier = threading.Barrier(2)
        answers: list[int] = []
        last = number == rounds - 1

        def send(unit, last=last, barrier=barrier, answers=answers, number=number):
            try:
                own = Client()
                own.force_login(learner)
                cmi = {"location": f"{unit}-{number}", "exit": "suspend"}
                if last:
                    cmi.update(completion_status="completed", exit="normal")
                body = json.dumps({"cmi": cmi})
                barrier.wait()
                answers.append(own.post(urls[unit], body, content_type="text/plain").status_code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=send, args=(u,)) for u in ("sco-2", "sco-1")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert answers == [200, 200]
        stored = dict(UnitAttempt.objects.values_list("unit_id", "cmi__location"))
        assert stored == {"sco-1": f"sco-1-{number}", "sco-2": f"sco-2-{number}"}

    assert PackageAttempt.objects.get(user=learner).completion_status == "completed"
    assert lms.Completion.objects.filter(user=learner, page=module).exists()
