"""Figures about another organisation are shown only for groups of at least k people
(LMS_MIN_GROUP_SIZE, default 5), and the programme report only for periods of at least a
month (decision 0034), against the hand-counted world of tests/sharing_world.py: the owner
Sundbyberg has 3 people in the audience, Järfälla 4 (3 took part in March)."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from tests import sharing_world
from tests.factories import assign_course, org_unit, staff_member
from wagtail_learning.compliance import api as compliance

pytestmark = pytest.mark.django_db

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def w(time_machine):
    time_machine.move_to(sharing_world.NOW, tick=False)
    return sharing_world.build()


def newcomers(unit, count: int, name: str):
    return [
        staff_member(unit, first_name=f"{name}{i}", last_name="Ny", username=f"{name}{i}".lower())
        for i in range(count)
    ]


def by_name(rows):
    return {row.organisation.name: row for row in rows}


def test_another_organisations_group_of_four_shows_no_figure_and_of_five_it_does(w, settings):
    figures = compliance.get_shared_course_figures(user=w.hr["S"], course_id=w.course.pk)
    rows = by_name(figures.rows)
    # The owner's own three people: their figures, as before.
    own = rows["Sundbybergs stad"]
    assert (own.audience, own.compliant, own.share, own.remaining) == (3, 2, 200 / 3, 1)
    # Järfälla's four: not one figure, only the mark (never a 0).
    jarfalla = rows["Järfälla kommun"]
    cells = [jarfalla.audience, jarfalla.compliant, jarfalla.overdue, jarfalla.in_progress,
             jarfalla.share, jarfalla.remaining]  # fmt: skip
    assert {str(cell) for cell in cells} == {"fewer than 5"}
    # The total (6) less the owner's row (3) would give Järfälla's people: not shown.
    total = figures.total
    assert {str(total.audience), str(total.compliant), str(total.share)} == {"not shown"}
    assert figures.withheld.k == 5

    newcomers(w.units["J"], 1, "Jon")
    figures = compliance.get_shared_course_figures(user=w.hr["S"], course_id=w.course.pk)
    jarfalla = by_name(figures.rows)["Järfälla kommun"]
    assert (jarfalla.audience, jarfalla.compliant, jarfalla.withheld) == (5, 2, None)
    assert (figures.total.audience, figures.total.compliant) == (7, 3)
    assert figures.withheld is None

    # The minimum is a setting.
    settings.LMS_MIN_GROUP_SIZE = 6
    figures = compliance.get_shared_course_figures(user=w.hr["S"], course_id=w.course.pk)
    assert str(by_name(figures.rows)["Järfälla kommun"].audience) == "fewer than 6"


def test_the_total_does_not_give_a_withheld_group_back_by_subtraction(w):
    # Väsby takes part with six people; Järfälla's four are withheld. Total less Sundbyberg
    # less Väsby would be Järfälla's three people of its own (Mira is in Sundbyberg too), so
    # Väsby's row is withheld as well, and the total then hides nine people, not three.
    w.sharing.participants.add(w.roots["V"])
    newcomers(w.units["V"], 5, "Vid")
    figures = compliance.get_shared_course_figures(user=w.hr["S"], course_id=w.course.pk)
    rows = by_name(figures.rows)
    assert str(rows["Järfälla kommun"].audience) == "fewer than 5"
    assert str(rows["Upplands Väsby kommun"].audience) == "not shown"
    assert rows["Sundbybergs stad"].audience == 3
    assert figures.total.audience == 12
    shown = sum(row.audience for row in figures.rows if not row.withheld)
    assert figures.total.audience - shown == 9

    # With Järfälla's own people at five, nothing is withheld.
    newcomers(w.units["J"], 2, "Jon")
    figures = compliance.get_shared_course_figures(user=w.hr["S"], course_id=w.course.pk)
    assert figures.withheld is None
    assert [row.audience for row in figures.rows] == [3, 6, 6]


def test_a_group_of_one_is_withheld_a_group_of_none_shown_and_the_next_row_covers_it(w):
    # Upplands-Bro takes part with one person, Sollentuna with nobody yet; Järfälla has five.
    bro, sollentuna = org_unit("Upplands-Bro kommun"), org_unit("Sollentuna kommun")
    w.sharing.participants.add(bro, sollentuna)
    staff_member(org_unit("Skolan Bro", bro), first_name="Bo", username="bo")
    for root in (bro, sollentuna):
        assign_course(w.course, root, today=sharing_world.ASSIGNED_ON, due_days=30)
    newcomers(w.units["J"], 1, "Jon")
    figures = compliance.get_shared_course_figures(user=w.hr["S"], course_id=w.course.pk)
    rows = by_name(figures.rows)
    assert str(rows["Upplands-Bro kommun"].audience) == "fewer than 5"
    assert (rows["Sollentuna kommun"].audience, rows["Sollentuna kommun"].withheld) == (0, None)
    # The total less the shown rows would be Bo alone: Järfälla's row is withheld too (not
    # Sollentuna's, which hides no one), and the total then covers five people: Bo and
    # Järfälla's four of its own (Mira is Sundbyberg's too).
    assert str(rows["Järfälla kommun"].audience) == "not shown"
    assert (rows["Sundbybergs stad"].audience, figures.total.audience) == (3, 8)


def test_the_programme_report_withholds_small_groups_and_short_periods(w):
    # A single day would show the one person of Järfälla who took part that day.
    for start, end in ((date(2026, 3, 6), date(2026, 3, 6)), (date(2026, 3, 1), date(2026, 3, 27))):
        with pytest.raises(compliance.PeriodTooShort) as refused:
            compliance.get_programme_report(
                user=w.hr["S"], course_id=w.course.pk, start=start, end=end
            )
        assert "at least a month" in refused.value.message
    # 28 days are a month (February is one).
    compliance.get_programme_report(
        user=w.hr["S"], course_id=w.course.pk, start=date(2026, 2, 16), end=date(2026, 3, 15)
    )

    report = compliance.get_programme_report(user=w.hr["S"], course_id=w.course.pk, **MARCH)
    rows = by_name(report.rows)
    assert (rows["Sundbybergs stad"].participants, rows["Sundbybergs stad"].hours) == (2, 2.5)
    jarfalla = rows["Järfälla kommun"]  # three took part
    cells = [jarfalla.participants, jarfalla.completions, jarfalla.hours,
             jarfalla.first_activity, jarfalla.last_activity]  # fmt: skip
    assert {str(cell) for cell in cells} == {"fewer than 5"}
    assert str(report.total.participants) == "not shown"

    # Two more of Järfälla's people start in March: five took part.
    for person in newcomers(w.units["J"], 2, "Jon"):
        sharing_world.started(person, w.modules[0], sharing_world.at(3, 9))
    report = compliance.get_programme_report(user=w.hr["S"], course_id=w.course.pk, **MARCH)
    jarfalla = by_name(report.rows)["Järfälla kommun"]
    assert (jarfalla.participants, jarfalla.completions, jarfalla.hours) == (5, 1, 2.0)
    assert (report.total.participants, report.withheld) == (6, None)


def test_a_period_is_a_month_long_at_least_and_every_calendar_month_is_one():
    from wagtail_learning.compliance.sharing import _check_period as check_period

    assert compliance.shortest_period_start(date(2026, 3, 31)) == date(2026, 3, 4)
    for start in (date(2026, 2, 1), date(2024, 2, 1), date(2026, 3, 1), date(2026, 4, 1)):
        next_month = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        check_period(start, next_month - timedelta(days=1))
    check_period(date(2026, 2, 16), date(2026, 3, 15))
    with pytest.raises(compliance.PeriodTooShort):
        check_period(date(2026, 2, 16), date(2026, 3, 14))
    end = date(2026, 1, 5)
    check_period(compliance.shortest_period_start(end), end)
    with pytest.raises(compliance.PeriodTooShort):
        check_period(compliance.shortest_period_start(end) + timedelta(days=1), end)
