"""Demo of certified units (issue 10): Huddinge's school administration with a few schools,
"one trained person per school" with one school missing its trained person, and an 80 %
rule under which a school is certified and holds a unit certificate. Idempotent: run by
seed_demo on every run; existing things are left alone, today's evaluation is replaced."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from home.demo import staff_member
from wagtail_learning.compliance.api import (
    Assignment,
    CertificationRule,
    evaluate_certification_rules,
    sync_assignments_for_users,
)
from wagtail_learning.lms.api import Completion, Enrolment
from wagtail_learning.org.api import Organisation

MUNICIPALITY = "Huddinge kommun"
ADMINISTRATION = "Utbildningsförvaltningen"
COURSE_SLUG = "nationella-minoriteter"
UNIT_TYPES = {
    "Stensängsskolan": "Skola",
    "Förskolan Snättringe": "Förskola",
    "Äldreboende Flemingsberg": "Äldreboende",
    "Hemtjänst Trångsund": "Hemtjänst",
}
# New schools: name, staff (first name, last name, manager?), how many have completed.
SCHOOLS = [
    (
        "Kvarnbergsskolan",
        [("Sofia", "Lind", True), ("Omar", "Haddad", False), ("Linnea", "Berg", False),
         ("Viktor", "Nyström", False)],
        4,
    ),
    (
        "Sjödalsskolan",
        [("Emma", "Sundberg", True), ("Ali", "Karimi", False), ("Maria", "Holm", False)],
        0,
    ),
]  # fmt: skip
RULES = [
    {"name": "En utbildad person per skola", "min_people": 1, "unit_type": "Skola"},
    {"name": "80 % av medarbetarna utbildade", "min_share": 80},
]
RULE_PERMISSIONS = ["view_certificationrule", "add_certificationrule", "change_certificationrule"]
HR_GROUPS = ["HR", "HR Botkyrka"]


def seed_unit_certification(note) -> None:
    """`note(kind, label, created=...)`: seed_demo's bookkeeping."""
    root = Organisation.get_root_nodes().filter(name=MUNICIPALITY).first()
    if root is None:
        return
    administration = root.get_children().filter(name=ADMINISTRATION).first()
    assignment = (
        Assignment.objects.filter(unit=administration, course__slug=COURSE_SLUG)
        .order_by("pk")
        .first()
    )
    if administration is None or assignment is None:
        return
    for unit in Organisation.objects.filter(path__startswith=root.path, name__in=UNIT_TYPES):
        if unit.unit_type != UNIT_TYPES[unit.name]:
            unit.unit_type = UNIT_TYPES[unit.name]
            unit.save(update_fields=["unit_type"])
    for number, (name, staff, completed) in enumerate(SCHOOLS):
        created = _seed_school(
            administration, name, staff, completed, assignment, first_number=1501 + 10 * number
        )
        note("units", name, created=created)
    for spec in RULES:
        rule, created = CertificationRule.objects.get_or_create(
            assignment=assignment, name=spec["name"], defaults=spec
        )
        note("rules", rule.name, created=created)
    permissions = Permission.objects.filter(
        content_type__app_label="compliance", codename__in=RULE_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=HR_GROUPS):
        group.permissions.add(*permissions)
    # A short history, so a unit's page has days to show; today's run replaces today's.
    now = timezone.now()
    for days_ago in (14, 7, 0):
        evaluate_certification_rules(now=now - timedelta(days=days_ago))


def _seed_school(administration, name, staff, completed, assignment, *, first_number):
    administration.refresh_from_db()
    school = administration.get_children().filter(name=name).first()
    created_school = school is None
    if created_school:
        school = administration.add_child(name=name, unit_type="Skola")
    people = []
    for index, (first, last, manager) in enumerate(staff):
        user, _created = staff_member(
            f"anst-{first_number + index}", first, last, unit=school,
            number=str(first_number + index), job_title="Rektor" if manager else "Lärare",
            manager=manager, hired=date(2016, 8, 1),
        )  # fmt: skip
        people.append(user)
    sync_assignments_for_users([u.pk for u in people])
    done_at = timezone.now() - timedelta(days=20)
    for user in people[:completed]:
        enrolment = Enrolment.objects.filter(user=user, course_id=assignment.course_id).first()
        if (
            enrolment is None
            or Completion.objects.filter(user=user, page_id=assignment.course_id).exists()
        ):
            continue
        Completion.objects.create(
            user=user,
            page_id=assignment.course_id,
            cycle=enrolment.cycle,
            kind=Completion.Kind.COURSE,
            completed_at=done_at,
        )
        enrolment.status = Enrolment.Status.COMPLETED
        enrolment.completed_at = done_at
        enrolment.save(update_fields=["status", "completed_at"])
    return created_school
