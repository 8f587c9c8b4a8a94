"""Something for Huddinge's HR (`hr`) to act on (issue 21): the rest of the demo was all
on time, since its assignments are due weeks after the day it is built.

- A new-hire rule: everyone hired after a date takes the equality programme within
  NEW_HIRE_DAYS of their hire date. Three new hires fall under it; two of them, hired
  earlier than that, are overdue.
- A unit certificate about to lapse: Nattpatrullen Stuvsta's manager completed the equality
  programme, which is renewed every 36 months, almost 36 months ago; the rule "a trained
  manager per night patrol" is met today but the completion expires within the warning
  window (compliance.api.WARNING_DAYS), so the unit's certificate is about to lapse.

- A unit that will miss its target (issue 24, HR › "Prognos"): Hemtjänst Vårby has the
  equality programme for all its eight staff, due in 45 days; three have completed it,
  one in the last month, and one completion (renewed every 36 months) lapses within 30
  days. At the pace of one a month the forecast projects at most five of eight (62 %) by
  any due date within 90 days, short of the target.

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
    _seed_unit_missing_target(note, root, course)


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


MISSING_UNIT = "Hemtjänst Vårby"
# username, first name, last name, completed the programme this many days ago (None: not)
MISSING_STAFF = [
    ("anst-1921", "Sara", "Lundqvist", 10),
    ("anst-1922", "Omar", "Haddad", 50),
    ("anst-1923", "Birgitta", "Nord", None),  # completed 36 months less 20 days ago
    ("anst-1924", "Jonas", "Ek", None),
    ("anst-1925", "Fatima", "Ali", None),
    ("anst-1926", "Per", "Holm", None),
    ("anst-1927", "Lina", "Berg", None),
    ("anst-1928", "Ahmed", "Yusuf", None),
]
MISSING_LAPSING = "anst-1923"
MISSING_DUE_DAYS = 45
RENEWAL_MONTHS = 36


def _complete(user, course, when) -> None:
    enrolment = Enrolment.objects.get(user=user, course_id=course.pk)
    Completion.objects.create(
        user=user,
        page_id=course.pk,
        cycle=enrolment.cycle,
        kind=Completion.Kind.COURSE,
        completed_at=when,
    )
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = when
    enrolment.save(update_fields=["status", "completed_at"])


def _seed_unit_missing_target(note, root: Organisation, course: CoursePage) -> None:
    today = timezone.localdate()
    administration = root.get_children().get(name=HOME_CARE_ADMINISTRATION)
    unit = administration.get_children().filter(name=MISSING_UNIT).first()
    note("units", MISSING_UNIT, created=unit is None)
    if unit is None:
        unit = administration.add_child(name=MISSING_UNIT, unit_type="Hemtjänst")
    people = []
    for username, first, last, done_days_ago in MISSING_STAFF:
        user, created = _person(
            note, username, first, last, unit=unit, manager=False, hired=date(2017, 8, 1)
        )
        people.append((user, created, done_days_ago, username))
    assignment, created = Assignment.objects.get_or_create(
        course=course,
        unit=unit,
        due_mode=Assignment.DueMode.FIXED,
        defaults={
            "audience": Assignment.Audience.ALL,
            "due_date": today + timedelta(days=MISSING_DUE_DAYS),
            "recurrence_months": RENEWAL_MONTHS,
            "target_share": 80,
        },
    )
    note("assignments", str(assignment), created=created)
    if created:
        apply_assignment(assignment, today=today)
    now = timezone.now()
    for user, created, done_days_ago, username in people:
        if not created:
            continue
        sync_assignments_for_users([user.pk])
        if done_days_ago is not None:
            _complete(user, course, now - timedelta(days=done_days_ago))
        elif username == MISSING_LAPSING:
            _complete(user, course, now - relativedelta(months=RENEWAL_MONTHS) + timedelta(days=20))
