"""Fuzzing /api/v1/ from its own OpenAPI document with schemathesis: whatever a client
sends, valid or not, the answer is never a 5xx.

Requests go through the WSGI application in this thread, so they see the test's database.
The learner's session cookie authenticates them and a matching CSRF cookie and header pass
the CSRF check, so the cases reach the engine rather than stop at the door.
"""

import pytest
import schemathesis
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

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

EXAMPLES_PER_OPERATION = 30
CSRF = "schemathesisCsrfSecret0123456789"  # any 32 letters and digits will do


def session_cookie(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


@pytest.fixture
def keep_connection():
    """Like Django's test client: a request must not close the connection that holds the
    test's transaction (Django closes it after a request when autocommit is off)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


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


@pytest.mark.django_db
def test_no_request_to_the_api_gets_a_server_error(module, keep_connection):
    learner = enrolled_learner(module.get_parent())
    lecture, reading, reflection, quiz = (block.id for block in module.steps)
    step_for = {
        "/api/v1/progress/heartbeat": lecture,
        "/api/v1/progress/complete": reading,
        "/api/v1/progress/reflection": reflection,
        "/api/v1/quizzes/attempts": quiz,
    }
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=quiz)
    cookies = {"sessionid": session_cookie(learner), "csrftoken": CSRF}
    headers = {"X-CSRFToken": CSRF}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

    def aimed(case, real_ids):
        """Half of the cases name the real module, the step of the operation's kind and the
        open attempt, so they get past "no such module" into the engine."""
        if real_ids and isinstance(case.body, dict):
            if "module_id" in case.body:
                case.body["module_id"] = module.pk
            if "step_id" in case.body:
                case.body["step_id"] = step_for.get(case.operation.path, reading)
        if real_ids and case.path_parameters and "attempt_id" in case.path_parameters:
            case.path_parameters["attempt_id"] = attempt.pk
        return case

    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = st.builds(
                aimed,
                operation.as_strategy(generation_mode=mode),
                st.booleans(),
            )

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(strategy)
            def check(case):
                response = case.call(cookies=cookies, headers=headers)
                if response.status_code >= 500:
                    failures.append(
                        (case.operation.label, case.body, response.status_code, response.text[:300])
                    )

            check()

    assert failures == []
