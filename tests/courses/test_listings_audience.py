"""As met on the demo: `kontakt`, an external contact person, was offered the equality
programme (a staff course) under "Hitta fler kurser" on the home page and in the catalogue,
and was refused only after the click. Listings ask the engine's audience rule (decision
0033) in the query: the course is not offered to them; staff are still offered it."""

import pytest
from django.contrib.auth import get_user_model

from tests.home import test_seed_demo as demo
from wagtail_learning.courses.models import CourseIndexPage, CoursePage
from wagtail_learning.lms.models import Enrolment

media_roots, seed = demo.media_roots, demo.seed


def _listed(client, url: str, course: CoursePage) -> bool:
    response = client.get(url)
    assert response.status_code == 200
    return f'href="{course.url}"' in response.content.decode()


@pytest.mark.django_db
def test_an_external_participant_is_not_offered_a_staff_course(seed, client):
    seed()
    kontakt = get_user_model().objects.get(username="kontakt")
    course = CoursePage.objects.get(slug=demo.EQUALITY_SLUG)
    assert not course.open_to_external
    catalogue = CourseIndexPage.objects.live().get()
    client.force_login(kontakt)

    assert not _listed(client, "/", course)
    assert not _listed(client, catalogue.url, course)
    # What is open to them is still offered.
    open_course = CoursePage.objects.live().filter(open_to_external=True).first()
    assert open_course is not None
    assert _listed(client, catalogue.url, open_course)


@pytest.mark.django_db
def test_staff_are_still_offered_the_staff_course(seed, client):
    seed()
    course = CoursePage.objects.get(slug=demo.EQUALITY_SLUG)
    enrolled = set(Enrolment.objects.filter(course_id=course.pk).values_list("user_id", flat=True))
    kontakt = get_user_model().objects.get(username="kontakt")
    staff = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=False)
        .exclude(pk__in=enrolled | {kontakt.pk})
        .exclude(username__in=["kontakt"])
        .first()
    )
    catalogue = CourseIndexPage.objects.live().get()
    client.force_login(staff)

    assert _listed(client, catalogue.url, course)


@pytest.mark.django_db
def test_a_learner_with_every_open_course_taken_is_not_told_none_are_published(seed, client):
    """As met on the demo: `kontakt` has taken the one course open to externals, and the
    home page's "Hitta fler kurser" said "Inga kurser har publicerats än" beside a
    catalogue of published courses."""
    seed()
    client.force_login(get_user_model().objects.get(username="kontakt"))

    page = client.get("/").content.decode()

    assert "Inga kurser har publicerats än" not in page
    assert "Inga fler kurser är öppna för dig just nu." in page
