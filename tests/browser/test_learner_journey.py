"""The demo's learner takes the Grundmodul of the equality programme in a real browser:
enrols, watches the lecture (at 2x, resuming after a reload), marks the reading done,
writes a reflection, passes the quiz, and sees Fördjupning 1 unlock on the course page."""

import pytest
from django.core.management import call_command

from tests.factories import root_collection, tree_root
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.lms.models import QuizAttempt
from wagtail_learning.modules.models import ModulePage

COURSE_SLUG = "jamlikhet-normkritik-och-jamlik-styrning"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    tree_root()
    root_collection()
    call_command("seed_demo", force=True, verbosity=0)
    course = CoursePage.objects.get(slug=COURSE_SLUG)
    modules = list(ModulePage.objects.child_of(course).live().order_by("path"))
    return course, modules[0], modules[1]


def state_of(tab, module) -> str:
    return tab.get_attribute(f"li[data-module-id='{module.pk}']", "data-module-state")


def video_time(tab) -> float:
    return tab.evaluate("() => document.querySelector('video').currentTime")


def test_the_learner_completes_the_basic_module_and_the_next_one_unlocks(
    live_server, browser_page, demo
):
    course, basic, advanced = demo
    tab = browser_page
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))

    tab.goto(f"{live_server.url}/konto/logga-in/?next={course.url}")
    tab.fill("input[name=username]", "learner")
    tab.fill("input[name=password]", "demo")
    tab.click("main form button[type=submit]")
    tab.wait_for_url(f"{live_server.url}{course.url}")
    tab.click(f"form[action='{course.url}anmal/'] button[type=submit]")
    assert state_of(tab, basic) == "available"
    assert state_of(tab, advanced) == "locked"

    specs = {spec.kind: spec for spec in basic.get_lms_steps()}

    # The lecture: play a little, pause, reload: the player resumes at the saved position.
    tab.goto(live_server.url + basic.get_lms_step_url(specs["lecture"].step_id))
    tab.locator("video#lecture-video").wait_for()
    tab.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; v.playbackRate = 2;"
        " return v.play(); }"
    )
    tab.wait_for_function("() => document.querySelector('video').currentTime > 5")
    with tab.expect_response(lambda r: "/api/v1/progress/heartbeat" in r.url):
        tab.evaluate("() => document.querySelector('video').pause()")
    paused_at = video_time(tab)
    tab.reload()
    tab.wait_for_function("() => document.querySelector('video').readyState >= 1")
    tab.wait_for_function("() => document.querySelector('video').currentTime > 2")
    assert abs(video_time(tab) - paused_at) < 2.5

    # ... and watch the rest at 2x; the server completes the step from what was played.
    tab.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; v.playbackRate = 2;"
        " return v.play(); }"
    )
    tab.wait_for_function(
        "() => document.querySelector('[data-lecture-player]').dataset.completed === 'true'",
        timeout=60_000,
    )

    # The reading.
    tab.goto(live_server.url + basic.get_lms_step_url(specs["reading"].step_id))
    tab.click("form.mark-done button[type=submit]")
    tab.wait_for_selector("p.state-completed")

    # The reflection.
    tab.goto(live_server.url + basic.get_lms_step_url(specs["reflection"].step_id))
    tab.fill(
        "#reflection-answer",
        "I vår förvaltning vill jag börja med att se över hur vi bemöter medborgare "
        "och vilka normer som styr våra beslut, och följa upp det med statistik.",
    )
    tab.click("form[data-reflection] button[type=submit]")
    tab.wait_for_selector("p.state-completed")

    # The quiz: start an attempt and answer correctly (the answers come from the database,
    # never from the page).
    tab.goto(live_server.url + basic.get_lms_step_url(specs["quiz"].step_id))
    tab.click("form:has(input[value=start]) button[type=submit]")
    attempt = QuizAttempt.objects.get(module_id=basic.pk, submitted_at__isnull=True)
    rules = attempt.revision.as_object().get_lms_quiz_rules()
    by_id = {q.question_id: q for q in rules.questions}
    for question_id in attempt.question_ids:
        for choice in by_id[question_id].choices:
            if choice.correct:
                tab.check(f"#q-{question_id}-{choice.choice_id}")
    tab.click("form[data-quiz] button[type=submit]")
    tab.wait_for_url("**?resultat=*")
    assert tab.get_attribute("section.quiz-result", "aria-labelledby") == "result-heading"

    # The course page, reloaded: Grundmodul completed, Fördjupning 1 open.
    tab.goto(live_server.url + course.url)
    assert state_of(tab, basic) == "completed"
    assert state_of(tab, advanced) == "available"
    assert errors == []
