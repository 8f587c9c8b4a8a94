"""The audience rule itself (lms.audience, decision 0033): who each audience admits, what
a learner outside it is told, and who counts as external."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from tests.factories import CoursePageFactory, UserFactory, learner_profile
from wagtail_learning.lms.api import Audience
from wagtail_learning.lms.audience import admits, is_external, refusal_message
from wagtail_learning.lms.models import Enrolment
from wagtail_learning.org.models import LearnerProfile


@pytest.mark.parametrize(
    ("audience", "staff", "external"),
    [
        (Audience.STAFF, True, False),
        (Audience.EXTERNAL, False, True),
        (Audience.EVERYONE, True, True),
        ("something else", True, False),  # unknown: never wider than staff
    ],
)
def test_who_each_audience_admits(audience, staff, external):
    assert admits(audience, external=False) is staff
    assert admits(audience, external=True) is external


def test_what_a_learner_outside_the_audience_is_told():
    with translation.override("en"):
        assert refusal_message(Audience.STAFF) == (
            "This course is not open to external participants."
        )
        assert refusal_message(Audience.EXTERNAL) == (
            "This course is open to external participants only."
        )
    with translation.override("sv"):
        assert refusal_message(Audience.STAFF) == (
            "Den här kursen är inte öppen för externa deltagare."
        )


@pytest.mark.django_db
def test_who_counts_as_external_is_what_their_profile_says():
    external, staff, no_profile = UserFactory(), UserFactory(), UserFactory()
    learner_profile(external, kind=LearnerProfile.Kind.EXTERNAL)
    learner_profile(staff, kind=LearnerProfile.Kind.STAFF)

    assert is_external(external) is True
    assert is_external(staff) is False
    assert is_external(no_profile) is False
    assert is_external(AnonymousUser()) is False


@pytest.mark.django_db
def test_without_a_source_of_external_learners_nobody_is_external(monkeypatch):
    from wagtail import hooks

    from wagtail_learning.lms.audience import EXTERNAL_LEARNERS, is_external_expression

    external = UserFactory()
    learner_profile(external, kind=LearnerProfile.Kind.EXTERNAL)
    Enrolment.objects.create(user=external, course_id=CoursePageFactory().pk)
    real = hooks.get_hooks
    monkeypatch.setattr(
        hooks, "get_hooks", lambda name: [] if name == EXTERNAL_LEARNERS else real(name)
    )

    assert is_external(external) is False
    flags = Enrolment.objects.annotate(x=is_external_expression(external.pk)).values_list(
        "x", flat=True
    )
    assert list(flags) == [False]


@pytest.mark.django_db
def test_a_course_for_external_participants_only_admits_them_and_anonymous_visitors():
    """No page class has such an audience yet; the engine's rule is ready for one."""
    from types import SimpleNamespace

    from wagtail_learning.lms.api import check_course_audience

    course = SimpleNamespace(lms_audience=Audience.EXTERNAL)
    external, staff = UserFactory(), UserFactory()
    learner_profile(external, kind=LearnerProfile.Kind.EXTERNAL)

    assert check_course_audience(user=AnonymousUser(), course=course).allowed
    assert check_course_audience(user=external, course=course).allowed
    with translation.override("en"):
        refused = check_course_audience(user=staff, course=course)
    assert not refused.allowed
    assert refused.message == "This course is open to external participants only."
    everyone = SimpleNamespace(lms_audience=Audience.EVERYONE)
    assert check_course_audience(user=external, course=everyone).allowed
    assert check_course_audience(user=staff, course=everyone).allowed


@pytest.mark.django_db
def test_a_learner_named_by_any_of_several_sources_is_external(monkeypatch):
    from wagtail import hooks

    from wagtail_learning.lms.audience import EXTERNAL_LEARNERS, is_external_expression

    external = UserFactory()
    learner_profile(external, kind=LearnerProfile.Kind.EXTERNAL)
    Enrolment.objects.create(user=external, course_id=CoursePageFactory().pk)
    real = hooks.get_hooks
    (source,) = real(EXTERNAL_LEARNERS)

    def nobody():
        return LearnerProfile.objects.none().values("user_id")

    monkeypatch.setattr(
        hooks,
        "get_hooks",
        lambda name: [nobody, source] if name == EXTERNAL_LEARNERS else real(name),
    )

    assert is_external(external) is True
    flags = Enrolment.objects.annotate(x=is_external_expression(external.pk)).values_list(
        "x", flat=True
    )
    assert list(flags) == [True]
