"""The home page of a logged-in learner: my courses with progress, what is due, and where to
continue; /api/v1/me/progress tells the same story (lms/dashboard.py)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    UserFactory,
    completed_module,
    enrol,
    in_english,
    lecture_step,
    reading_step,
    route,
    site_home,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Completion, Enrolment


def english_date(when) -> str:
    with translation.override("en"):
        return date_format(timezone.localtime(when), "j F Y")


def card_of(html: str, title: str) -> str:
    for card in re.findall(r'<li class="card"><div class="card-body">.*?</div></li>', html, re.S):
        if f">{title}</a>" in card:
            return card
    raise AssertionError(f"no course card for {title}")


def my_course_titles(html: str) -> list[str]:
    section = html.split('id="my-courses-heading"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<h3><a [^>]*>([^<]+)</a></h3>", section)


@pytest.fixture
def learner():
    return UserFactory(first_name="Sanna")


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return in_english(client)


@pytest.fixture
def course():
    """Three required steps over two required modules, and an optional module."""
    course = CoursePageFactory(title="Likabehandling")
    ModulePageFactory(
        parent=course,
        title="Del 1",
        steps=[
            lecture_step(LectureFactory(duration=timedelta(seconds=600))),
            reading_step("Läs"),
            reading_step("Valfri läsning", required=False),
        ],
    )
    ModulePageFactory(parent=course, title="Del 2", steps=[reading_step("Avslutning")])
    optional = ModulePageFactory(
        parent=course, title="Extra", steps=[reading_step("Extra 1"), reading_step("Extra 2")]
    )
    optional.required_for_course = False
    optional.save_revision().publish()
    return course


def modules_of(course):
    return {m.title: m for m in course.specific.get_lms_modules()}


@pytest.mark.django_db
def test_my_courses_show_completed_required_steps_over_all_required_steps(
    learner, learner_client, course
):
    enrol(learner, course)
    modules = modules_of(course)
    part_one, extra = modules["Del 1"], modules["Extra"]
    lms.complete_step(learner, module=part_one, step_id=part_one.steps[1].id)
    lms.complete_step(learner, module=part_one, step_id=part_one.steps[2].id)  # optional
    lms.complete_step(learner, module=extra, step_id=extra.steps[0].id)  # optional module

    html = learner_client.get(site_home().url).content.decode()

    card = card_of(html, "Likabehandling")
    assert '<progress max="100" value="33"' in card
    assert "1 of 3 required steps done" in card
    assert "Welcome, Sanna" in html


@pytest.mark.django_db
def test_a_completed_course_shows_its_completion_date(learner, learner_client, course):
    enrol(learner, course)
    at = timezone.now() - timedelta(days=2)
    for module in modules_of(course).values():
        completed_module(learner, module, when=at)
    Completion.objects.create(
        user=learner, page_id=course.pk, kind=Completion.Kind.COURSE, completed_at=at
    )

    card = card_of(learner_client.get("/").content.decode(), "Likabehandling")

    assert f"Completed {english_date(at)}" in card
    assert "<progress" not in card


@pytest.mark.django_db
def test_due_dates_are_listed_and_overdue_courses_marked(learner, learner_client):
    late = CoursePageFactory(title="Försenad kurs")
    soon = CoursePageFactory(title="Snart dags")
    late_due = timezone.now() - timedelta(days=1)
    soon_due = timezone.now() + timedelta(days=5)
    lms.enrol_learner(learner, course=soon, source=Enrolment.Source.ASSIGNMENT, due_at=soon_due)
    lms.enrol_learner(learner, course=late, source=Enrolment.Source.ASSIGNMENT, due_at=late_due)

    html = learner_client.get("/").content.decode()

    due = html.split('id="due-heading"', 1)[1].split("</section>", 1)[0]
    items = re.findall(r"<li>.*?</li>", due, re.S)
    assert len(items) == 2
    assert "Försenad kurs" in items[0] and "Snart dags" in items[1]  # soonest first
    assert f"due {english_date(late_due)}" in items[0]
    assert "Overdue" in items[0]
    assert f"due {english_date(soon_due)}" in items[1]
    assert "Overdue" not in items[1]


@pytest.mark.django_db
def test_a_completed_course_is_not_due(learner, learner_client, course):
    lms.enrol_learner(
        learner,
        course=course,
        source=Enrolment.Source.ASSIGNMENT,
        due_at=timezone.now() - timedelta(days=1),
    )
    Completion.objects.create(
        user=learner, page_id=course.pk, kind=Completion.Kind.COURSE, completed_at=timezone.now()
    )

    html = learner_client.get("/").content.decode()

    assert 'id="due-heading"' not in html
    assert "Overdue" not in html


@pytest.mark.django_db
def test_unfinished_courses_come_first_soonest_due_first(learner, learner_client):
    now = timezone.now()
    titles = ["Klar", "Utan datum", "Om en vecka", "I morgon"]
    courses = {title: CoursePageFactory(title=title) for title in titles}
    lms.enrol_learner(learner, course=courses["Klar"], source=Enrolment.Source.ASSIGNMENT)
    lms.enrol_learner(learner, course=courses["Utan datum"])
    for title, days in (("Om en vecka", 7), ("I morgon", 1)):
        lms.enrol_learner(
            learner,
            course=courses[title],
            source=Enrolment.Source.ASSIGNMENT,
            due_at=now + timedelta(days=days),
        )
    Enrolment.objects.filter(course_id=courses["Klar"].pk).update(
        status=Enrolment.Status.COMPLETED, completed_at=now
    )

    html = learner_client.get("/").content.decode()

    assert my_course_titles(html) == ["I morgon", "Om en vecka", "Utan datum", "Klar"]


@pytest.mark.django_db
def test_continue_points_at_the_lecture_left_halfway_and_resumes_its_position(
    learner, learner_client, course
):
    enrol(learner, course)
    part_one = modules_of(course)["Del 1"]
    lecture_id = part_one.steps[0].id
    t0 = timezone.now()
    for seq, (start, end) in enumerate([(0, 0), (0, 10), (10, 20), (20, 30), (30, 42.5)]):
        lms.record_watch(
            learner,
            module=part_one,
            step_id=lecture_id,
            session_id="tab-00000001",
            seq=seq,
            ranges=[(start, end)] if end > start else [],
            position=end,
            now=t0 + timedelta(seconds=10 * seq),
        )

    html = learner_client.get("/").content.decode()

    section = html.split("data-continue", 1)[1].split("</section>", 1)[0]
    url = route(part_one, "step", lecture_id)
    assert f'href="{url}"' in section
    assert "Resume the lecture" in section
    assert "watched 7 %" in section  # 42.5 of 600 s
    assert 'data-position="42.500000"' in learner_client.get(url).content.decode()


@pytest.mark.django_db
def test_continue_skips_what_is_done_and_points_at_the_next_open_step(
    learner, learner_client, course
):
    enrol(learner, course)
    part_one = modules_of(course)["Del 1"]
    lms.complete_step(learner, module=part_one, step_id=part_one.steps[1].id)

    html = learner_client.get("/").content.decode()

    section = html.split("data-continue", 1)[1].split("</section>", 1)[0]
    assert f'href="{route(part_one, "step", part_one.steps[0].id)}"' in section
    assert "Resume the lecture" not in section  # nothing watched yet


@pytest.mark.django_db
def test_a_learner_who_has_not_begun_is_asked_to_start_not_to_continue(
    learner, learner_client, course
):
    enrol(learner, course)
    part_one = modules_of(course)["Del 1"]

    section = learner_client.get("/").content.decode().split("data-continue", 1)[1]
    section = section.split("</section>", 1)[0]
    assert "Start here" in section and "Continue where you left off" not in section
    assert f'href="{route(part_one, "step", part_one.steps[0].id)}"' in section

    lms.complete_step(learner, module=part_one, step_id=part_one.steps[1].id)
    section = learner_client.get("/").content.decode().split("data-continue", 1)[1]
    assert "Continue where you left off" in section.split("</section>", 1)[0]


@pytest.mark.django_db
def test_a_learner_without_courses_is_told_so(learner_client):
    html = learner_client.get(site_home().url).content.decode()

    assert "You are not enrolled in any course yet." in html
    assert "data-continue" not in html


@pytest.mark.django_db
def test_my_progress_in_the_api_matches_the_dashboard(learner, learner_client, course):
    enrol(learner, course)
    modules = modules_of(course)
    part_one = modules["Del 1"]
    lms.complete_step(learner, module=part_one, step_id=part_one.steps[1].id)
    due = timezone.now() + timedelta(days=3)
    Enrolment.objects.filter(user=learner).update(due_at=due)
    html = learner_client.get("/").content.decode()

    response = learner_client.get(reverse("api-v1:my_progress"))

    assert response.status_code == 200
    [mine] = response.json()["courses"]
    card = card_of(html, "Likabehandling")
    assert f'value="{mine["percent"]}"' in card
    assert f"{mine['required_done']} of {mine['required_total']} required steps done" in card
    assert (mine["percent"], mine["required_done"], mine["required_total"]) == (33, 1, 3)
    assert mine["course_id"] == course.pk
    assert mine["url"] == course.url
    assert mine["due_at"] is not None
    assert [(m["title"], m["state"], m["percent"]) for m in mine["modules"]] == [
        ("Del 1", "in_progress", 50),
        ("Del 2", "available", 0),
        ("Extra", "available", 0),
    ]


@pytest.mark.django_db
def test_my_progress_needs_a_login(client):
    assert client.get(reverse("api-v1:my_progress")).status_code == 401


@pytest.fixture
def two_courses(learner):
    """Two enrolled courses; the first is due sooner, so it is listed first. The second's
    one module bears the title of its one lecture (as in the demo's lecture series)."""
    first = CoursePageFactory(title="Första kursen")
    ModulePageFactory(
        parent=first,
        title="Första modulen",
        steps=[lecture_step(LectureFactory(title="Orörd föreläsning")), reading_step("Läs A")],
    )
    second = CoursePageFactory(title="Andra kursen")
    lecture = LectureFactory(title="Minoritetslagen", duration=timedelta(seconds=600))
    ModulePageFactory(
        parent=second,
        title="Minoritetslagen",
        steps=[reading_step("Inledning"), lecture_step(lecture), reading_step("Sammanfattning")],
    )
    soon = timezone.now() + timedelta(days=3)
    lms.enrol_learner(learner, course=first, source=Enrolment.Source.ASSIGNMENT, due_at=soon)
    lms.enrol_learner(learner, course=second)
    return first, second


def continue_section(html: str) -> str:
    return html.split("data-continue", 1)[1].split("</section>", 1)[0]


def watch(learner, module, step_id, *, until: float, t0):
    beats = [(0, 0)] + [(s, min(s + 10, until)) for s in range(0, int(until), 10)]
    for seq, (start, end) in enumerate(beats):
        lms.record_watch(
            learner,
            module=module,
            step_id=step_id,
            session_id="tab-00000002",
            seq=seq,
            ranges=[(start, end)] if end > start else [],
            position=end,
            now=t0 + timedelta(seconds=10 * seq),
        )


@pytest.mark.django_db
def test_continue_points_at_the_step_last_worked_on_in_the_second_course(
    learner, learner_client, two_courses
):
    first, second = two_courses
    [module] = second.specific.get_lms_modules()
    lms.complete_step(learner, module=module, step_id=module.steps[0].id)
    watch(learner, module, module.steps[1].id, until=125, t0=timezone.now())

    html = learner_client.get("/").content.decode()

    section = continue_section(html)
    url = route(module, "step", module.steps[1].id)
    assert f'href="{url}"' in section
    assert "Resume the lecture" in section
    assert "stopped at 2:05" in section
    assert section.count("Minoritetslagen") == 1  # the module's title is the lecture's
    assert "Andra kursen" in section
    assert "Orörd föreläsning" not in section
    assert 'data-position="125.000000"' in learner_client.get(url).content.decode()


@pytest.mark.django_db
def test_after_finishing_a_step_continue_leads_to_the_next_step_of_that_course(
    learner, learner_client, two_courses
):
    first, second = two_courses
    [module] = second.specific.get_lms_modules()
    [first_module] = first.specific.get_lms_modules()
    lms.complete_step(learner, module=first_module, step_id=first_module.steps[1].id)
    lms.complete_step(learner, module=module, step_id=module.steps[0].id)  # the latest

    section = continue_section(learner_client.get("/").content.decode())

    assert f'href="{route(module, "step", module.steps[1].id)}"' in section
    assert "Orörd föreläsning" not in section


@pytest.mark.django_db
def test_find_more_courses_leaves_out_the_courses_enrolled_in(learner, learner_client, two_courses):
    site_home()
    other = CoursePageFactory(title="Inte anmäld")
    html = learner_client.get("/").content.decode()

    more = html.split('id="featured-heading"', 1)[1].split("</section>", 1)[0]
    assert other.title in more
    assert "Första kursen" not in more
    assert "Andra kursen" not in more
    assert my_course_titles(html) == ["Första kursen", "Andra kursen"]
