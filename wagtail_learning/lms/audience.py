"""Who a course is for, and whether a learner is among them (decision 0033).

A course says its audience (`LearningCourse.lms_audience`, and a module its course's:
`LearningModule.get_lms_audience`): staff, external participants or both. Whether a person
is an external participant is not the engine's to know (people live in `org`): the layer
that joins the two registers, as a Wagtail hook named EXTERNAL_LEARNERS, a function that
returns the user ids of external participants as a queryset (`.values("user_id")`). Without
one, nobody is external and every course admits everyone it admitted before.

Every way into a course asks this module, through `lms.access` (pages, steps, the JSON API,
the protected files) and `lms.enrolment` (every enrolment): one rule, not one per view.
"""

from __future__ import annotations

from django.db import models
from django.db.models import BooleanField, Exists, Q, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

__all__ = [
    "EXTERNAL_LEARNERS",
    "Audience",
    "admits",
    "courses_open_to",
    "external_learner_sources",
    "is_external",
    "is_external_expression",
    "refusal_message",
]

EXTERNAL_LEARNERS = "lms_external_learners"


class Audience(models.TextChoices):
    STAFF = "staff", gettext_lazy("Staff only")
    EXTERNAL = "external", gettext_lazy("External participants only")
    EVERYONE = "everyone", gettext_lazy("Staff and external participants")


def admits(audience: str, *, external: bool) -> bool:
    """Whether a course for `audience` admits a learner who is (or is not) external."""
    if audience == Audience.EVERYONE:
        return True
    if audience == Audience.EXTERNAL:
        return external
    # Staff, and anything unknown: the narrowest reading, never wider than staff.
    return not external


def refusal_message(audience: str) -> str:
    """What a learner outside `audience` is told."""
    if audience == Audience.EXTERNAL:
        return _("This course is open to external participants only.")
    return _("This course is not open to external participants.")


def external_learner_sources() -> list:
    """The functions registered for EXTERNAL_LEARNERS. Each returns a queryset of user ids
    whose statement must not depend on the moment it is built (no "today" in it): the
    heartbeat keeps the compiled statement it is folded into (lms.access)."""
    return hooks.get_hooks(EXTERNAL_LEARNERS)


def is_external_expression(user_id):
    """An expression that is true when the user `user_id` (a value or an OuterRef) is an
    external participant: to fold the question into a query that is asked anyway."""
    sources = external_learner_sources()
    if not sources:
        return Value(False, output_field=BooleanField())
    found = Q()
    for source in sources:
        found |= Q(Exists(source().filter(user_id=user_id)))
    return found


def is_external(user) -> bool:
    """Whether `user` is an external participant. One query (none without a source)."""
    if not user.is_authenticated:
        return False
    sources = hooks.get_hooks(EXTERNAL_LEARNERS)
    return any(source().filter(user_id=user.pk).exists() for source in sources)


def courses_open_to(user, courses):
    """`courses` (a queryset of a LearningCourse model) narrowed to those whose audience
    admits `user`: the rule of `admits`, asked in the listing's own query (no query more).
    The model says how its audience reads in a query with a classmethod
    `lms_audience_expression()` (an expression whose value is an Audience). Visitors who
    are not signed in are refused by nothing here (as by `lms.access`)."""
    if not user.is_authenticated:
        return courses
    courses = courses.alias(_lms_audience=courses.model.lms_audience_expression())
    everyone = Q(_lms_audience=Audience.EVERYONE)
    external_only = Q(_lms_audience=Audience.EXTERNAL)
    # Staff, and anything unknown: the narrowest reading, as in `admits`.
    staff = ~Q(_lms_audience__in=[Audience.EVERYONE, Audience.EXTERNAL])
    if not external_learner_sources():
        return courses.filter(everyone | staff)
    external = is_external_expression(user.pk)
    return courses.filter(everyone | (external_only & external) | (staff & ~external))
