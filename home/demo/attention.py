"""Something for Huddinge's HR (`hr`) to act on (issue 21): the rest of the demo was all
on time, since its assignments are due weeks after the day it is built.

- A new-hire rule: everyone hired after a date takes the equality programme within
  NEW_HIRE_DAYS of their hire date. Three new hires fall under it; two of them, hired
  earlier than that, are overdue.
- A unit certificate about to lapse: Nattpatrullen Stuvsta's manager completed the equality
  programme, which is renewed every 36 months, almost 36 months ago; the rule "a trained
  manager per night patrol" is met today but the completion expires within the warning
  window (compliance.api.WARNING_DAYS), so the unit's certificate is about to lapse.

Idempotent like the rest of seed_demo: people by username, units by name, the rule by
name, the assignment by course, unit and due mode; dates are set when a row is created
and left alone afterwards.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from home.demo import staff_member
from wagtail_learning.compliance.api import (
    WARNING_DAYS,
    Assignment,
    CertificationRule,
    apply_assignment,
    sync_assignments_for_users,
)
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.lms.api import Completion, Enrolment
from wagtail_learning.org.api import Organisation

MUNICIPALITY = "Huddinge kommun"
COURSE_SLUG = "jamlikhet-normkritik-och-jamlik-styrning"
NEW_HIRE_DAYS = 30
# Not under Utbildningsförvaltningen: the demo's certification rules there judge the
# units' staff, and people hired since the history's first day would flip them.
NEW_HIRE_UNIT = "Äldreboende Flemingsberg"
# username, first name, last name, hired this many days before the demo was built
NEW_HIRES = [
    ("anst-1901", "Noah", "Eriksson", 10),
    ("anst-1902", "Aya", "Mansour", 40),
    ("anst-1903", "Elsa", "Wikström", 55),
]
HOME_CARE_ADMINISTRATION = "Socialförvaltningen"
HOME_CARE_UNIT = "Nattpatrullen Stuvsta"
# A type of its own: the rule judges this unit only (Hemtjänst Trångsund's manager
# finished recently, so its state would change over the history the demo replays).
HOME_CARE_TYPE = "Nattpatrull"
HOME_CARE_MANAGER = ("anst-1911", "Leila", "Rahimi")
RULE = {
    "name": "En utbildad chef per nattpatrull",
    "unit_type": HOME_CARE_TYPE,
    "min_people": 1,
    "managers_only": True,
}


def seed_hr_attention(note) -> None:
    """`note(kind, label, created=...)`: seed_demo's bookkeeping. Run before the demo's
    certification rules are evaluated."""
    root = Organisation.get_root_nodes().filter(name=MUNICIPALITY).first()
    course = CoursePage.objects.filter(slug=COURSE_SLUG).first()
    if root is None or course is None:
        return
    _seed_new_hires(note, root, course)
    _seed_lapsing_unit(note, root, course)


def _person(note, username, first, last, *, unit, manager: bool, hired: date) -> tuple:
    user, created = staff_member(
        username, first, last, unit=unit, number=username.removeprefix("anst-"),
        job_title="Enhetschef" if manager else "Undersköterska", manager=manager, hired=hired,
    )  # fmt: skip
    note("staff", username, created=created)
    return user, created


def _seed_new_hires(note, root: Organisation, course: CoursePage) -> None:
    today = timezone.localdate()
    unit = Organisation.objects.get(path__startswith=root.path, name=NEW_HIRE_UNIT)
    for username, first, last, days_ago in NEW_HIRES:
        _person(
            note, username, first, last, unit=unit, manager=False,
            hired=today - timedelta(days=days_ago),
        )  # fmt: skip
    assignment, created = Assignment.objects.get_or_create(
        course=course,
        unit=root,
        audience=Assignment.Audience.ALL,
        due_mode=Assignment.DueMode.AFTER_HIRE,
        defaults={
            "hired_after": today - timedelta(days=90),
            "due_days": NEW_HIRE_DAYS,
            "target_share": 100,
        },
    )
    note("assignments", str(assignment), created=created)
    if created:
        # The rule has been in force for two months: those hired before then were due
        # NEW_HIRE_DAYS after their hire date, so two of the three are late already.
        apply_assignment(assignment, today=today - timedelta(days=60))


def _seed_lapsing_unit(note, root: Organisation, course: CoursePage) -> None:
    administration = root.get_children().get(name=HOME_CARE_ADMINISTRATION)
    unit = administration.get_children().filter(name=HOME_CARE_UNIT).first()
    note("units", HOME_CARE_UNIT, created=unit is None)
    if unit is None:
        unit = administration.add_child(name=HOME_CARE_UNIT, unit_type=HOME_CARE_TYPE)
    manager, created = _person(
        note, *HOME_CARE_MANAGER, unit=unit, manager=True, hired=date(2019, 2, 1)
    )
    managers = Assignment.objects.filter(
        course=course, unit=root, audience=Assignment.Audience.MANAGERS
    ).first()
    if managers is None:
        return
    if created:
        sync_assignments_for_users([manager.pk])
        enrolment = Enrolment.objects.get(user=manager, course_id=course.pk)
        # Completed when the programme (renewed every 36 months) still had a while to go:
        # it expires halfway through the warning window.
        completed_at = (
            timezone.now()
            - relativedelta(months=managers.recurrence_months)
            + timedelta(days=WARNING_DAYS // 2)
        )
        Completion.objects.create(
            user=manager,
            page_id=course.pk,
            cycle=enrolment.cycle,
            kind=Completion.Kind.COURSE,
            completed_at=completed_at,
        )
        enrolment.status = Enrolment.Status.COMPLETED
        enrolment.completed_at = completed_at
        enrolment.save(update_fields=["status", "completed_at"])
    rule, created = CertificationRule.objects.get_or_create(
        assignment=managers, name=RULE["name"], defaults=RULE
    )
    note("rules", rule.name, created=created)
