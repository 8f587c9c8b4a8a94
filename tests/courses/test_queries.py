"""The course page costs a fixed number of queries, however many modules the course has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    UserFactory,
    enrol,
    lecture_step,
    quiz_step,
    reading_step,
)

# Where each query goes (docs/decisions/0028-course-page-at-its-floor.md). Update them when
# the page deliberately asks for more, never because they grew with the number of modules.
# The site, the module list (the modules, their prerequisites and the lectures and quizzes
# behind their steps), who may use the admin and the breadcrumbs' ancestors come from the
# cache or from routing: no query.
VISITOR_QUERIES = (
    1  # the pages along the path, in one (home.routing)
    + 1  # the course's specific row
    + 2  # Wagtail's view restrictions: the ancestors' aliases, the restrictions
)
COURSE_PAGE_QUERIES = (
    VISITOR_QUERIES
    + 2  # the session and the user
    + 1  # whether the learner is one the course is for (an external participant in a
    # staff course is refused the course: decision 0033); not asked of a course for everyone
    + 1  # the learner's enrolment
    + 1  # the learner's completions and step progress, in one (a UNION ALL: lms.state)
)


def course_with_modules(count: int):
    """A course whose modules each require the one before; the first requires a module of
    another course, so every module has a prerequisite."""
    quiz = QuizFactory()
    previous = ModulePageFactory(title="Introduktion")
    course = CoursePageFactory()
    for number in range(count):
        previous = ModulePageFactory(
            parent=course,
            title=f"Modul {number}",
            steps=[lecture_step(LectureFactory()), reading_step(), quiz_step(quiz)],
            prerequisites=[previous],
        )
    return course


def queries_for(client, url: str) -> list[str]:
    client.get(url)  # the first request fills the site and URL caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.django_db
def test_the_course_page_makes_a_known_number_of_queries(client, django_assert_num_queries):
    course = course_with_modules(4)
    learner = UserFactory()
    enrol(learner, course)
    client.force_login(learner)
    client.get(course.url)

    with django_assert_num_queries(COURSE_PAGE_QUERIES):
        client.get(course.url)


@pytest.mark.django_db
def test_the_course_page_makes_a_known_number_of_queries_for_a_visitor(
    client, django_assert_num_queries
):
    course = course_with_modules(4)
    client.get(course.url)

    with django_assert_num_queries(VISITOR_QUERIES):
        client.get(course.url)


@pytest.mark.django_db
def test_the_course_page_costs_the_same_with_4_and_with_40_modules(client):
    small, large = course_with_modules(4), course_with_modules(40)
    learner = UserFactory()
    enrol(learner, small)
    enrol(learner, large)
    client.force_login(learner)

    small_queries = queries_for(client, small.url)
    large_queries = queries_for(client, large.url)

    assert len(large_queries) == len(small_queries), "\n".join(large_queries)


@pytest.mark.django_db
def test_the_course_page_costs_the_same_for_a_visitor_with_4_and_with_40_modules(client):
    small, large = course_with_modules(4), course_with_modules(40)

    assert len(queries_for(client, large.url)) == len(queries_for(client, small.url))
