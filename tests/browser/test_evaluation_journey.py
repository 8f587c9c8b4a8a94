"""A learner who completed a course finds its evaluation linked from the course page,
answers it in the browser with the keyboard-usable radios and text field, and is thanked;
the answer is stored without them."""

import pytest

from tests.evaluations.helpers import make_evaluation
from tests.factories import OneModuleCourse, org_unit, site_home, staff_member
from wagtail_learning.evaluations.models import Answer, Participant, Submission

from .test_narrow_screens import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_learner_answers_the_evaluation_linked_from_the_course(live_server, browser_page):
    site_home()
    course = OneModuleCourse()
    evaluation = make_evaluation(course.course)
    learner = staff_member(org_unit("Enhet Tumba"), username="lisa")
    course.take(learner, reflection="Bra kurs.", correct=True)
    participant = Participant.objects.get(user=learner, evaluation=evaluation)
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, live_server, learner, course.course.url)
    page.click("a[data-evaluation-link]")
    page.wait_for_url(f"{live_server.url}/utvardering/{participant.pk}/")

    page.get_by_role("group", name="Innehållet var relevant").get_by_label("4").check()
    page.get_by_role("group", name="Rekommenderar du den?").get_by_label("Ja").check()
    page.get_by_label("Vad kan bli bättre?").fill("Fler exempel från hemtjänsten.")
    page.get_by_role("button", name="Skicka mina svar").click()

    page.wait_for_load_state()
    assert Submission.objects.filter(evaluation=evaluation).count() == 1
    assert Answer.objects.filter(text="Fler exempel från hemtjänsten.").exists()
    assert Participant.objects.get(pk=participant.pk).answered_at is not None
    page.goto(live_server.url + course.course.url)
    assert page.locator("a[data-evaluation-link]").count() == 0
    assert errors == []
