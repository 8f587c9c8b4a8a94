"""The unit-certification daily job takes a fixed number of queries, whatever the number of
units (issue 21: 4 038 queries on its first day, 14.7 per certificate issued, and 114 on
a rerun with nothing new). Each unit has a trained manager; every other unit's only
completion expires within the warning period, so its certificate is issued and warned
about on the first day; the next day every completion is gone and every certificate
lapses, with its email."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail

from tests.factories import assign_course, course_completed, hr_user, org_unit, staff_member
from tests.hr.conftest import NOW, course_with_module
from wagtail_learning.certificates.models import UnitCertificate
from wagtail_learning.compliance.api import CertificationRule, evaluate_certification_rules
from wagtail_learning.lms.models import Completion

pytestmark = pytest.mark.django_db

# The whole job for one rule: judging (compliance) and the certificates' answer.
FIRST_DAY = 23  # issue every unit's certificate, warn half of them
SAME_DAY_AGAIN = 11  # nothing changes
ALL_LAPSE = 17  # every certificate lapses, each unit's people told


@pytest.fixture
def world(time_machine):
    time_machine.move_to(NOW, tick=False)

    def build(units: int):
        kommun = org_unit("Kommun Q")
        hr_user(kommun, username="hr-q", email="hr@q.example.se")
        administration = org_unit("Förvaltning", kommun)
        course, _module = course_with_module("Likabehandling")
        assign_course(
            course, administration, today=NOW.date() - timedelta(days=60), recurrence_months=12
        )
        for n in range(units):
            administration.refresh_from_db()
            place = org_unit(f"Enhet {n:02d}", administration)
            manager = staff_member(
                place,
                first_name=f"Chef{n}",
                last_name="Q",
                username=f"chef{n}",
                email=f"chef{n}@q.example.se",
                is_manager=True,
                hire_date=date(2018, 1, 1),
            )
            expiring = n % 2 == 0
            when = NOW - relativedelta(months=11, days=10) if expiring else NOW - timedelta(days=5)
            course_completed(manager, course, when=when)
        CertificationRule.objects.create(
            assignment=course_assignment(course), name="En chef", min_people=1
        )

    return build


def course_assignment(course):
    from wagtail_learning.compliance.models import Assignment

    return Assignment.objects.get(course_id=course.pk)


@pytest.mark.parametrize("units", [3, 30])
def test_the_daily_job_takes_the_same_queries_for_3_and_30_units(
    world, units, django_assert_num_queries
):
    world(units)
    with django_assert_num_queries(FIRST_DAY):
        evaluate_certification_rules(now=NOW)
    # Every unit and the administration above them meet the rule.
    assert UnitCertificate.objects.filter(lapsed_at__isnull=True).count() == units + 1
    assert len(mail.outbox) == (units + 1) // 2  # the units whose completion expires
    with django_assert_num_queries(SAME_DAY_AGAIN):
        evaluate_certification_rules(now=NOW)
    assert UnitCertificate.objects.count() == units + 1
    mail.outbox.clear()
    Completion.objects.all().delete()
    with django_assert_num_queries(ALL_LAPSE):
        evaluate_certification_rules(now=NOW + timedelta(days=1))
    assert UnitCertificate.objects.filter(lapsed_at__isnull=True).count() == 0
    assert len(mail.outbox) == units + 1
    assert all("hr@q.example.se" in message.to for message in mail.outbox)
