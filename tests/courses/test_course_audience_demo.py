"""Issue 20, as it was met on the demo: `kontakt`, an external contact person, opened the
lecture of the equality programme (a staff course, not open to external participants) and
streamed its video. Now the course, its enrolment and its lecture refuse them with the
reason, in Swedish; the staff who take it are not affected (decision 0033)."""

import pytest
from django.contrib.auth import get_user_model

from tests.home import test_seed_demo as demo
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.lms.models import Enrolment
from wagtail_learning.modules.models import ModulePage

# The demo's own fixtures: the seeded site, its uploads in this test's folders.
media_roots, seed = demo.media_roots, demo.seed
EQUALITY_SLUG = demo.EQUALITY_SLUG

REFUSAL_SV = "Den här kursen är inte öppen för externa deltagare."


@pytest.mark.django_db
def test_kontakt_cannot_enrol_in_the_equality_programme_nor_stream_its_lecture(seed, client):
    seed()
    kontakt = get_user_model().objects.get(username="kontakt")
    course = CoursePage.objects.get(slug=EQUALITY_SLUG)
    assert not course.open_to_external and course.enrolment_open
    module = ModulePage.objects.child_of(course).get(slug="grundmodul")
    lecture_step = next(block for block in module.steps if block.block_type == "lecture")
    step_url = module.url + module.reverse_subpage("step", args=[lecture_step.id])
    video_url = module.url + module.reverse_subpage("video", args=[lecture_step.id])
    client.force_login(kontakt)

    overview = client.get(course.url)
    enrolling = client.post(course.url + course.reverse_subpage("enrol"))

    assert overview.status_code == 403 and REFUSAL_SV in overview.content.decode()
    assert enrolling.status_code == 403 and REFUSAL_SV in enrolling.content.decode()
    assert not Enrolment.objects.filter(user=kontakt, course_id=course.pk).exists()

    # Enrolled all the same (as before this rule, or by an administrator): still refused.
    Enrolment.objects.create(user=kontakt, course_id=course.pk, source=Enrolment.Source.ADMIN)
    step = client.get(step_url)
    video = client.get(video_url, HTTP_RANGE="bytes=0-1023")

    assert step.status_code == 403 and REFUSAL_SV in step.content.decode()
    assert video.status_code == 403
    assert REFUSAL_SV in video.content.decode()


@pytest.mark.django_db
def test_a_manager_of_the_demo_still_streams_the_equality_lecture(seed, client):
    seed()
    course = CoursePage.objects.get(slug=EQUALITY_SLUG)
    enrolled = Enrolment.objects.filter(course_id=course.pk).select_related("user").first()
    module = ModulePage.objects.child_of(course).get(slug="grundmodul")
    lecture_step = next(block for block in module.steps if block.block_type == "lecture")
    client.force_login(enrolled.user)

    video = client.get(module.url + module.reverse_subpage("video", args=[lecture_step.id]))

    assert video.status_code == 200
