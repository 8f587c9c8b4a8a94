"""The learner's dashboard costs a fixed number of queries, however many courses the learner
is enrolled in (lms/dashboard.py batches their modules, completions and step progress)."""

import pytest

from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    UserFactory,
    completed_module,
    enrol,
    lecture_step,
    quiz_step,
    reading_step,
    site_home,
)
from wagtail_learning.lms import api as lms

# Enrolments (1); the course pages and their specific rows (2); the learner's completions
# and step progress, in one (1; two before they were one UNION ALL: lms.state); the
# courses' modules as the course page keeps them until the next edit (decision 0028), in
# one cache round trip and no query.
DASHBOARD_QUERIES = 4
# When nothing is kept yet (the first view after an edit): all the courses' modules, the
# modules' prerequisites, and the lectures and quizzes behind the steps (4), and the site's
# root paths for the modules' links (1; then in the cache); since the kept listing also
# holds each course's live events (the course page lists them, decision 0035's merge),
# the events below the courses and their view restrictions (2). Once per edit, whatever
# the number of courses.
DASHBOARD_QUERIES_AFTER_AN_EDIT = DASHBOARD_QUERIES + 7
# Without a shared cache (the embedded default) nothing is kept between requests, and the
# modules are loaded as pages: the 4 queries above, every time.
DASHBOARD_QUERIES_WITHOUT_A_SHARED_CACHE = DASHBOARD_QUERIES + 4
# The home page around it: session and user (2), site and page routing, the catalogue and
# the "find more courses" list. Update it when the page deliberately asks for more, never
# because it grew with the number of courses. 21 since the link to an external
# organisation's contact page asks once whether the learner is its contact person; 17 since
# the site with its home page and who may use the admin (two queries) come from the cache
# until the next edit (decision 0028); 13 since the dashboard takes the courses' modules as
# the course page keeps them; 12 since the learner's completions and step progress are
# read in one query (lms.state).
HOME_PAGE_QUERIES = 12


def learner_in_courses(count: int):
    learner = UserFactory()
    quiz = QuizFactory()
    outside = ModulePageFactory(title="Introduktion")
    for number in range(count):
        course = CoursePageFactory(title=f"Utbildning nr {number}")
        first = ModulePageFactory(
            parent=course,
            title=f"Modul {number}.1",
            steps=[lecture_step(LectureFactory()), reading_step(), quiz_step(quiz)],
            prerequisites=[outside],
        )
        ModulePageFactory(
            parent=course, title=f"Modul {number}.2", steps=[reading_step()], prerequisites=[first]
        )
        enrol(learner, course)
        if number % 2:
            completed_module(learner, first)
    return learner


@pytest.mark.django_db
@pytest.mark.parametrize("courses", [1, 10])
def test_the_dashboard_costs_the_same_with_1_and_10_courses(courses, django_assert_num_queries):
    learner = learner_in_courses(courses)

    with django_assert_num_queries(DASHBOARD_QUERIES_AFTER_AN_EDIT):
        cold = lms.get_learner_dashboard(learner)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        board = lms.get_learner_dashboard(learner)

    assert len(board.courses) == courses
    assert all(len(progress.modules) == 2 for progress in board.courses)
    assert [c.percent for c in board.courses] == [c.percent for c in cold.courses]
    assert board.continue_item == cold.continue_item


@pytest.mark.django_db
@pytest.mark.parametrize("courses", [1, 10])
def test_without_a_shared_cache_the_dashboard_loads_the_modules_each_time(
    courses, settings, django_assert_num_queries
):
    settings.LMS_CACHE_UNTIL_EDIT = False
    learner = learner_in_courses(courses)
    lms.get_learner_dashboard(learner)

    with django_assert_num_queries(DASHBOARD_QUERIES_WITHOUT_A_SHARED_CACHE):
        board = lms.get_learner_dashboard(learner)

    assert all(len(progress.modules) == 2 for progress in board.courses)


@pytest.mark.django_db
def test_the_dashboard_shows_an_edit_at_once(client):
    """The kept modules are dropped by any edit: a module renamed and a step added are on
    the learner's next view of the dashboard."""
    from wagtail_learning.modules.models import ModulePage

    home = site_home()
    course = CoursePageFactory(title="Likabehandling")
    module = ModulePageFactory(parent=course, title="Grundmodul", steps=[reading_step()])
    learner = UserFactory()
    enrol(learner, course)
    client.force_login(learner)
    before = lms.get_learner_dashboard(learner)
    assert before.continue_item.module_title == "Grundmodul"
    assert before.courses[0].required_total == 1

    page = ModulePage.objects.get(pk=module.pk)
    page.title = "Grundmodul om diskriminering"
    page.steps = [reading_step(), reading_step()]
    page.save_revision().publish()

    after = lms.get_learner_dashboard(learner)
    assert after.continue_item.module_title == "Grundmodul om diskriminering"
    assert after.courses[0].required_total == 2
    assert "Grundmodul om diskriminering" in client.get(home.url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("courses", [1, 10])
def test_the_home_page_costs_the_same_with_1_and_10_courses(
    client, courses, django_assert_num_queries
):
    home = site_home()
    learner = learner_in_courses(courses)
    client.force_login(learner)
    client.get(home.url)  # the first request fills the site and URL caches

    with django_assert_num_queries(HOME_PAGE_QUERIES):
        response = client.get(home.url)

    assert response.status_code == 200
    assert response.content.decode().count("Utbildning nr ") >= courses
