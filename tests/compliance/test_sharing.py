"""Shared courses in the engine: who may assign them, the owner's figures per
organisation, a person in two organisations, and the funder's programme report, against
the hand-counted world of tests/sharing_world.py."""

from datetime import date

import pytest

from tests import sharing_world
from tests.factories import CoursePageFactory, SuperuserFactory, org_unit
from wagtail_learning.compliance import api as compliance
from wagtail_learning.compliance.models import Assignment
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Enrolment
from wagtail_learning.org.api import OutOfScope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def every_group_shown(settings):
    """The hand-counted world's groups are smaller than the default minimum group size;
    here every figure is shown (k = 1). The rule itself: tests/compliance/test_small_groups.py."""
    settings.LMS_MIN_GROUP_SIZE = 1


@pytest.fixture
def w():
    return sharing_world.build()


def test_only_the_owner_and_participants_may_assign_a_shared_course(w):
    assert compliance.may_assign(w.course.pk, w.units["S"])
    assert compliance.may_assign(w.course.pk, w.units["J"])
    assert not compliance.may_assign(w.course.pk, w.units["V"])
    with pytest.raises(compliance.NotParticipating) as refused:
        compliance.check_may_assign(w.course.pk, w.units["V"])
    assert "Upplands Väsby kommun" in refused.value.message
    assert "Sundbybergs stad" in refused.value.message


def test_a_course_nobody_owns_and_one_open_to_all_are_anyones(w):
    platform_course = CoursePageFactory(title="Plattformens kurs")
    assert compliance.may_assign(platform_course.pk, w.units["V"])
    w.sharing.open_to_all = True
    w.sharing.save()
    assert compliance.may_assign(w.course.pk, w.units["V"])


def test_the_engine_refuses_an_assignment_for_an_organisation_that_takes_no_part(w):
    before = Assignment.objects.count()
    with pytest.raises(compliance.NotParticipating):
        compliance.create_assignment(
            user=w.hr["V"], course_id=w.course.pk, unit=w.units["V"], due_days=30
        )
    assert Assignment.objects.count() == before


def test_a_participant_assigns_to_its_own_people_only(w):
    newcomer = org_unit("Skolan Nya", w.roots["J"])
    from tests.factories import staff_member

    new_person = staff_member(newcomer, first_name="Ny")
    assignment = compliance.create_assignment(
        user=w.hr["J"], course_id=w.course.pk, unit=newcomer, due_days=30
    )
    assert assignment.created_by == w.hr["J"]
    assert Enrolment.objects.filter(user=new_person, course_id=w.course.pk).exists()
    with pytest.raises(OutOfScope):
        compliance.create_assignment(
            user=w.hr["J"], course_id=w.course.pk, unit=w.units["S"], due_days=30
        )


def figures_by_name(figures):
    return {
        row.organisation.name: (row.audience, row.compliant, row.overdue, row.in_progress)
        for row in figures.rows
    }


def test_the_owner_sees_figures_per_participating_organisation(w, time_machine):
    time_machine.move_to(sharing_world.NOW, tick=False)
    figures = compliance.get_shared_course_figures(user=w.hr["S"], course_id=w.course.pk)
    # Väsby takes no part: its assignment (made before sharing) and Vera are in no figure.
    assert figures_by_name(figures) == {
        "Sundbybergs stad": (3, 2, 0, 0),
        "Järfälla kommun": (4, 2, 2, 0),
    }
    assert [row.is_owner for row in figures.rows] == [True, False]
    total = figures.total
    assert (total.audience, total.compliant, total.overdue, total.in_progress) == (6, 3, 2, 0)
    assert figures.rows[1].share == 50


def test_a_person_in_two_organisations_counts_in_each_and_once_in_the_total(w, time_machine):
    time_machine.move_to(sharing_world.NOW, tick=False)
    figures = compliance.get_shared_course_figures(user=w.hr["S"], course_id=w.course.pk)
    # Mira's one completion meets both organisations' targets ...
    assert sum(row.compliant for row in figures.rows) == 4
    assert sum(row.audience for row in figures.rows) == 7
    # ... and she is one person in the total.
    assert (figures.total.compliant, figures.total.audience) == (3, 6)


def test_a_person_counts_only_where_an_assignment_covers_them(w, time_machine):
    time_machine.move_to(sharing_world.NOW, tick=False)
    Assignment.objects.filter(unit=w.roots["J"]).update(active=False)
    figures = compliance.get_shared_course_figures(user=w.hr["S"], course_id=w.course.pk)
    assert figures_by_name(figures)["Järfälla kommun"] == (0, 0, 0, 0)
    assert figures.total.audience == 3  # Mira through Sundbyberg only


def test_only_the_owners_coordinators_see_the_figures(w):
    for outsider in (w.hr["J"], w.hr["V"]):
        with pytest.raises(lms.AccessDenied):
            compliance.get_shared_course_figures(user=outsider, course_id=w.course.pk)
        with pytest.raises(lms.AccessDenied):
            compliance.get_programme_report(
                user=outsider, course_id=w.course.pk, start=date(2026, 3, 1), end=date(2026, 3, 31)
            )
    superuser = SuperuserFactory()
    assert compliance.get_shared_course_figures(user=superuser, course_id=w.course.pk).rows


def report_rows(report):
    def day(value):
        return value and value.date().isoformat()

    return {
        (row.organisation.name if row.organisation else "total"): (
            row.participants,
            row.completions,
            row.minutes,
            row.hours,
            day(row.first_activity),
            day(row.last_activity),
        )
        for row in [*report.rows, report.total]
    }


def test_the_programme_report_counts_participation_in_the_period(w):
    report = compliance.get_programme_report(
        user=w.hr["S"], course_id=w.course.pk, start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    assert report_rows(report) == {
        # Sara 45 + 30; Mira 45 and, with her completion, the 30 of the module she has no
        # completion of; Jonas 45. The last activity is Julia's start on 20 March.
        "Sundbybergs stad": (2, 2, 150, 2.5, "2026-03-02", "2026-03-12"),
        "Järfälla kommun": (3, 1, 120, 2.0, "2026-03-05", "2026-03-20"),
        "total": (4, 2, 195, 3.3, "2026-03-02", "2026-03-20"),
    }
    assert report.modules_without_time == ["Del 3"]


def test_the_programme_reports_period_includes_both_ends(w):
    # 3 March to 2 April, a month: Sara's first step finished on the first day, Jonas's
    # course completion on the last.
    report = compliance.get_programme_report(
        user=w.hr["S"], course_id=w.course.pk, start=date(2026, 3, 3), end=date(2026, 4, 2)
    )
    assert report_rows(report)["Sundbybergs stad"] == (2, 2, 150, 2.5, "2026-03-03", "2026-03-12")
    assert report_rows(report)["Järfälla kommun"] == (3, 2, 150, 2.5, "2026-03-05", "2026-04-02")
    # Starting a day later, Sara's first step and module are out (105 min, 1.8 h) ...
    report = compliance.get_programme_report(
        user=w.hr["S"], course_id=w.course.pk, start=date(2026, 3, 4), end=date(2026, 4, 3)
    )
    assert report_rows(report)["Sundbybergs stad"] == (2, 2, 105, 1.8, "2026-03-04", "2026-03-12")
    # ... ending a day earlier, Jonas's second module and completion are out.
    report = compliance.get_programme_report(
        user=w.hr["S"], course_id=w.course.pk, start=date(2026, 3, 2), end=date(2026, 4, 1)
    )
    assert report_rows(report)["Järfälla kommun"] == (3, 1, 120, 2.0, "2026-03-05", "2026-03-20")


def test_training_hours_round_half_up_to_tenths():
    row = compliance.ProgrammeRow(None, minutes=135)  # 2.25 h
    assert row.hours == 2.3
    assert compliance.ProgrammeRow(None, minutes=0).hours == 0.0


def test_a_period_that_ends_before_it_starts_is_refused(w):
    with pytest.raises(ValueError):
        compliance.get_programme_report(
            user=w.hr["S"], course_id=w.course.pk, start=date(2026, 3, 2), end=date(2026, 3, 1)
        )
