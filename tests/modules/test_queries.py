"""A module's pages cost a fixed number of queries, however many steps the module has."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CoursePageFactory,
    DocumentFactory,
    ModulePageFactory,
    QuizFactory,
    document_step,
    enrol,
    enrolled_learner,
    lecture_step,
    lecture_with_captions,
    quiz_step,
    reading_step,
    reflection_step,
    route,
)
from wagtail_learning.modules.models import ModulePage

# Page routing (6: the pages along the path in one query, the course's specific row, which
# routes the rest itself as a routable page: the module by slug and its specific row; then
# Wagtail's view restrictions, 2); session and user (2); the access check's enrolment (with
# whether the course is for the learner: decision 0033) and prerequisites (2); the
# lectures, documents and quizzes behind the steps (3); the learner's completions and step
# progress (2). The module's course and its audience are the page routing came through (it
# was one query more before decision 0033). The site, who may use the
# admin and the breadcrumbs' ancestors come from the cache or from routing (decision 0028).
# Update it when the page deliberately asks for more, never because it grew with the
# number of steps.
MODULE_PAGE_QUERIES = 15


def module_with_steps(count: int) -> ModulePage:
    """A module whose steps cycle through every kind, each with content of its own."""
    makers = itertools.cycle(
        [
            lambda n: lecture_step(lecture_with_captions(title=f"Föreläsning {n}")),
            lambda n: reading_step(f"Läsning {n}"),
            lambda n: document_step(DocumentFactory(), title=f"Dokument {n}"),
            lambda n: quiz_step(QuizFactory(title=f"Test {n}")),
            lambda n: reflection_step(f"Reflektion {n}"),
        ]
    )
    return ModulePageFactory(
        parent=CoursePageFactory(),
        steps=[make(number) for number, make in zip(range(count), makers, strict=False)],
    )


def queries_for(client, url: str) -> list[str]:
    client.get(url)  # the first request fills the site and URL caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def logged_in_learner_of(client, *modules):
    learner = enrolled_learner(modules[0].get_parent())
    for module in modules[1:]:
        enrol(learner, module.get_parent())
    client.force_login(learner)


@pytest.mark.django_db
def test_the_module_page_makes_a_known_number_of_queries(client, django_assert_num_queries):
    module = module_with_steps(5)
    logged_in_learner_of(client, module)
    client.get(module.url)

    with django_assert_num_queries(MODULE_PAGE_QUERIES):
        client.get(module.url)


@pytest.mark.django_db
def test_the_module_page_costs_the_same_with_4_and_with_40_steps(client):
    small, large = module_with_steps(4), module_with_steps(40)
    logged_in_learner_of(client, small, large)

    small_queries = queries_for(client, small.url)
    large_queries = queries_for(client, large.url)

    assert len(large_queries) == len(small_queries), "\n".join(large_queries)


@pytest.mark.django_db
def test_a_lecture_step_costs_the_same_in_a_module_of_4_and_of_40_steps(client):
    small, large = module_with_steps(4), module_with_steps(40)
    logged_in_learner_of(client, small, large)

    small_queries = queries_for(client, route(small, "step", small.steps[0].id))
    large_queries = queries_for(client, route(large, "step", large.steps[0].id))

    assert len(large_queries) == len(small_queries), "\n".join(large_queries)


@pytest.mark.django_db
def test_steps_computed_for_a_course_listing_match_those_of_the_module_itself():
    first, second = module_with_steps(5), module_with_steps(3)
    listed = list(ModulePage.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"))

    ModulePage.prefetch_step_specs(listed)

    assert [m.step_specs for m in listed] == [
        ModulePage.objects.get(pk=first.pk).step_specs,
        ModulePage.objects.get(pk=second.pk).step_specs,
    ]
    assert [spec.kind for spec in listed[0].step_specs] == [
        "lecture",
        "reading",
        "document",
        "quiz",
        "reflection",
    ]
