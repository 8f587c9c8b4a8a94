"""One reminder to those who have not answered, a week after the offer; never a second."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import CoursePageFactory, org_unit, staff_member
from wagtail_learning.evaluations.models import Participant
from wagtail_learning.evaluations.schedules import REMINDERS, ensure_schedules
from wagtail_learning.evaluations.services import send_reminders

from .helpers import make_evaluation

pytestmark = pytest.mark.django_db


def test_one_reminder_to_who_has_not_answered_and_never_a_second(mailoutbox):
    unit = org_unit("Enhet", org_unit("Huddinge kommun"))
    evaluation = make_evaluation(CoursePageFactory(title="Bemötande"))
    now = timezone.now()
    silent, answered, recent = (
        staff_member(unit, username=name, email=f"{name}@huddinge.example.se")
        for name in ("tyst", "svarat", "nyss")
    )
    Participant.objects.create(evaluation=evaluation, user=silent, offered_at=now - timedelta(8))
    Participant.objects.create(
        evaluation=evaluation, user=answered, offered_at=now - timedelta(8), answered_at=now
    )
    Participant.objects.create(evaluation=evaluation, user=recent, offered_at=now - timedelta(2))

    assert send_reminders(now=now) == 1
    assert [m.to for m in mailoutbox] == [["tyst@huddinge.example.se"]]
    assert "Bemötande" in mailoutbox[0].subject
    assert f"/utvardering/{Participant.objects.get(user=silent).pk}/" in mailoutbox[0].body

    assert send_reminders(now=now + timedelta(days=1)) == 0  # the daily job, the next day
    assert send_reminders(now=now + timedelta(days=30)) == 1  # the recent one, once due
    assert len(mailoutbox) == 2


def test_the_daily_job_is_scheduled_once():
    from django_q.models import Schedule

    ensure_schedules()
    ensure_schedules()
    assert Schedule.objects.filter(name=REMINDERS, schedule_type=Schedule.DAILY).count() == 1
