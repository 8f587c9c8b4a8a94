"""The funder's programme report agrees with itself and with the learner records
(issue 21): every figure is computed here again, independently, from the records of a
small world, and compared with the report.

The world is the hand-counted one of tests/sharing_world.py, plus the cases the demo met:
- Karin (Järfälla) whose completion was recorded by hand (no steps, no module
  completions), as an imported or recorded completion is: her completion credits the
  course's whole time (the report said 0.0 hours for such completions);
- Olle (Sundbyberg) who completed in February and started his recertification cycle in
  March: active in March, not a March completion;
- Julia (Järfälla) who started a step after everyone's last completion: the first
  activity is never after the last (the report showed a "first start" after the "last
  finish", each from a different record).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from tests import sharing_world
from tests.factories import staff_member
from wagtail_learning.compliance import api as compliance
from wagtail_learning.lms.models import Completion, StepProgress
from wagtail_learning.org.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def every_group_shown(settings):
    settings.LMS_MIN_GROUP_SIZE = 1


@pytest.fixture
def w(time_machine):
    time_machine.move_to(sharing_world.NOW, tick=False)
    world = sharing_world.build()
    at = sharing_world.at
    m1, m2, _m3 = world.modules
    karin = staff_member(
        world.units["J"], first_name="Karin", last_name="Karinsson", username="karin"
    )
    Completion.objects.create(
        user=karin, page_id=world.course.pk, kind=Completion.Kind.COURSE, completed_at=at(3, 3)
    )
    olle = staff_member(world.units["S"], first_name="Olle", last_name="Olsson", username="olle")
    sharing_world.started(olle, m1, at(2, 1), completed_at=at(2, 2))
    Completion.objects.create(
        user=olle, page_id=m1.pk, kind=Completion.Kind.MODULE, completed_at=at(2, 2)
    )
    Completion.objects.create(
        user=olle, page_id=world.course.pk, kind=Completion.Kind.COURSE, completed_at=at(2, 3)
    )
    row = StepProgress.objects.create(
        user=olle, module_id=m2.pk, step_id=m2.get_lms_steps()[0].step_id, kind="reading", cycle=2
    )
    StepProgress.objects.filter(pk=row.pk).update(started_at=at(3, 25))
    world.karin, world.olle = karin, olle
    return world


def expected_figures(world, start: date, end: date) -> dict:
    """The report's figures, from the records, by their stated definitions; plain Python."""
    first = timezone.make_aware(datetime.combine(start, time.min))
    last = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    module_ids = {m.pk for m in world.modules}
    minutes = {m.pk: m.estimated_minutes or 0 for m in world.modules}

    def inside(moment):
        return moment is not None and first <= moment < last

    activity: dict[int, list[datetime]] = {}
    completed: set[int] = set()
    credit: dict[int, int] = {}
    completions = list(Completion.objects.filter(page_id__in=module_ids | {world.course.pk}))
    modules_done = {
        (c.user_id, c.cycle, c.page_id) for c in completions if c.page_id != world.course.pk
    }
    for progress in StepProgress.objects.filter(module_id__in=module_ids):
        for moment in (progress.started_at, progress.completed_at):
            if inside(moment):
                activity.setdefault(progress.user_id, []).append(moment)
    for completion in completions:
        if not inside(completion.completed_at):
            continue
        who = completion.user_id
        activity.setdefault(who, []).append(completion.completed_at)
        if completion.page_id == world.course.pk:
            completed.add(who)
            # The modules of the round with no completion of their own come with it.
            rest = [pk for pk in minutes if (who, completion.cycle, pk) not in modules_done]
            credit[who] = credit.get(who, 0) + sum(minutes[pk] for pk in rest)
        else:
            credit[who] = credit.get(who, 0) + minutes[completion.page_id]

    def figures(paths):
        members = {
            m.user_id
            for m in Membership.objects.select_related("unit")
            if any(m.unit.path.startswith(p) for p in paths)
        }
        people = members & set(activity)
        done = people & completed
        moments = [moment for pk in people for moment in activity[pk]]
        return (
            len(people),
            len(done),
            sum(credit.get(pk, 0) for pk in people),
            min(moments).date().isoformat() if moments else None,
            max(moments).date().isoformat() if moments else None,
        )

    roots = [world.roots["S"], world.roots["J"]]
    result = {root.name: figures([root.path]) for root in roots}
    result["total"] = figures([root.path for root in roots])
    return result


def report_figures(report) -> dict:
    def day(value):
        return value and timezone.localtime(value).date().isoformat()

    return {
        (row.organisation.name if row.organisation else "total"): (
            row.participants,
            row.completions,
            row.minutes,
            day(row.first_activity),
            day(row.last_activity),
        )
        for row in [*report.rows, report.total]
    }


@pytest.mark.parametrize(
    "start, end",
    [
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 3), date(2026, 4, 2)),
        (date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_the_programme_report_agrees_with_the_learner_records(w, start, end):
    report = compliance.get_programme_report(
        user=w.hr["S"], course_id=w.course.pk, start=start, end=end
    )
    assert report_figures(report) == expected_figures(w, start, end)


def test_a_completion_recorded_by_hand_is_credited_the_courses_time(w):
    report = compliance.get_programme_report(
        user=w.hr["S"], course_id=w.course.pk, start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    jarfalla = next(row for row in report.rows if row.organisation == w.roots["J"])
    # Mira 45 + 30, Jonas 45 (his first module), Karin the course's 75 recorded by hand.
    assert report.course_minutes == 75
    assert (jarfalla.completions, jarfalla.minutes, jarfalla.hours) == (2, 195, 3.3)
    for row in [*report.rows, report.total]:
        assert row.minutes >= row.completions * report.course_minutes


def test_the_first_activity_is_never_after_the_last(w):
    # 4 March to 3 April: Sundbyberg's only step started in the period is Olle's
    # recertification on 25 March, after Mira's completion on 12 March (the report said
    # "first started 25 Mar, last finished 12 Mar", each from a different record).
    report = compliance.get_programme_report(
        user=w.hr["S"], course_id=w.course.pk, start=date(2026, 3, 4), end=date(2026, 4, 3)
    )
    for row in [*report.rows, report.total]:
        assert row.first_activity <= row.last_activity
    sundbyberg = next(row for row in report.rows if row.organisation == w.roots["S"])
    assert timezone.localtime(sundbyberg.first_activity).date() == date(2026, 3, 4)
    assert timezone.localtime(sundbyberg.last_activity).date() == date(2026, 3, 25)


def test_a_completion_credits_each_module_once_over_all_periods(w):
    # Olle completed in February: his module then (45) and, with the course, the 30 of the
    # module he has no completion of; March credits him nothing for his new round's start.
    february = compliance.get_programme_report(
        user=w.hr["S"], course_id=w.course.pk, start=date(2026, 2, 1), end=date(2026, 2, 28)
    )
    march = compliance.get_programme_report(
        user=w.hr["S"], course_id=w.course.pk, start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    sundbyberg = [
        next(row for row in report.rows if row.organisation == w.roots["S"])
        for report in (february, march)
    ]
    # February: Olle 75, Mira only started. March: Sara 75, Mira 75, Olle 0.
    assert [(row.participants, row.completions, row.minutes) for row in sundbyberg] == [
        (2, 1, 75),
        (3, 2, 150),
    ]
