"""Certified units (compliance/certification.py) on a frozen clock, against a hand-counted
school administration.

    Kommun K
    └── Utbildning                 (the course is assigned here; 12-month recurrence)
        ├── Förskola C  [Förskola] Hanna (completed 11 months 10 days ago: expires in ~20 days)
        ├── Skola A     [Skola]    Anna (manager, done), Bo (done), Cilla, Dora (hired 10
        │                          days ago), Frida (done; also in Skola B)
        ├── Skola B     [skola]    Erik (manager), Frida, Gustav (hired 40 days ago)
        └── Skola D     [Skola]    Ivar

Audience / compliant / compliant managers / new hires outside 30 days, today:
    Utbildning  9 / 4 / 1 / 1     (Frida once)
    Förskola C  1 / 1 / 0 / 0
    Skola A     5 / 3 / 1 / 0     (Dora is inside her window)
    Skola B     3 / 1 / 0 / 1     (Gustav)
    Skola D     1 / 0 / 0 / 0
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import translation

from tests.factories import assign_course, course_completed, hr_user, org_unit, staff_member
from tests.hr.conftest import NOW, course_with_module
from wagtail_learning.compliance.api import (
    CertificationRule,
    UnitRuleSnapshot,
    describe_missing,
    evaluate_certification_rules,
    get_rule_states,
    get_unit_rule_history,
)
from wagtail_learning.compliance.certification import Figures, judge

pytestmark = pytest.mark.django_db

TODAY = NOW.date()  # 16 March 2026


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def unit(name, parent, unit_type=""):
    created = org_unit(name, parent)
    if unit_type:
        created.unit_type = unit_type
        created.save(update_fields=["unit_type"])
    return created


@pytest.fixture
def school(frozen):
    kommun = org_unit("Kommun K")
    utbildning = unit("Utbildning", kommun)
    c = unit("Förskola C", utbildning, "Förskola")
    a = unit("Skola A", utbildning, "Skola")
    b = unit("Skola B", utbildning, "skola")
    d = unit("Skola D", utbildning, "Skola")
    for node in (kommun, utbildning, a, b, c, d):
        node.refresh_from_db()
    course, _module = course_with_module("Likabehandling")

    def person(name, where, **kwargs):
        kwargs.setdefault("hire_date", date(2018, 1, 1))
        return staff_member(where, first_name=name, last_name="T", username=name.lower(), **kwargs)

    people = SimpleNamespace(
        hanna=person("Hanna", c),
        anna=person("Anna", a, is_manager=True),
        bo=person("Bo", a),
        cilla=person("Cilla", a),
        dora=person("Dora", a, hire_date=TODAY - timedelta(days=10)),
        frida=person("Frida", b, also_in=[a]),
        erik=person("Erik", b, is_manager=True),
        gustav=person("Gustav", b, hire_date=TODAY - timedelta(days=40)),
        ivar=person("Ivar", d),
    )
    assignment = assign_course(
        course, utbildning, today=TODAY - timedelta(days=60), recurrence_months=12
    )
    done = NOW - timedelta(days=5)
    for who in (people.anna, people.bo, people.frida):
        course_completed(who, course, when=done)
    course_completed(people.hanna, course, when=NOW - relativedelta(months=11, days=10))
    return SimpleNamespace(
        kommun=kommun,
        utbildning=utbildning,
        a=a,
        b=b,
        c=c,
        d=d,
        course=course,
        assignment=assignment,
        people=people,
        hr=hr_user(kommun, username="hr-k"),
    )


def rule(school, **fields):
    fields.setdefault("name", "Regel")
    return CertificationRule.objects.create(assignment=school.assignment, **fields)


def states(school, r, on=TODAY):
    return {s.unit.name: s for s in get_rule_states(user=school.hr, on=on) if s.rule_id == r.pk}


def test_the_figures_are_the_hand_counted_ones(school):
    r = rule(school, min_share=80)
    evaluate_certification_rules(now=NOW)
    figures = {
        name: (s.audience, s.compliant, s.compliant_managers)
        for name, s in states(school, r).items()
    }
    assert figures == {
        "Utbildning": (9, 4, 1),
        "Förskola C": (1, 1, 0),
        "Skola A": (5, 3, 1),
        "Skola B": (3, 1, 0),
        "Skola D": (1, 0, 0),
    }


def test_an_80_percent_rule_names_how_many_more_people_each_unit_needs(school):
    r = rule(school, min_share=80)
    evaluate_certification_rules(now=NOW)
    found = states(school, r)
    assert {name for name, s in found.items() if s.met} == {"Förskola C"}
    # 80 % of 9 is 7.2: 8 people, 4 done; of 5: 4, 3 done; of 3: 3, 1 done.
    assert [m["people"] for m in found["Utbildning"].missing] == [4]
    assert [m["people"] for m in found["Skola A"].missing] == [1]
    assert [m["people"] for m in found["Skola B"].missing] == [2]
    assert describe_missing(found["Skola A"].missing) == [
        "1 utbildad person till för 80 % (nu 60 %)"
    ]


def test_one_trained_person_per_school_judges_only_schools(school):
    r = rule(school, min_people=1, unit_type="SKOLA")
    evaluate_certification_rules(now=NOW)
    found = states(school, r)
    # "skola" is a school too (types match case-insensitively); the pre-school is not judged.
    assert set(found) == {"Skola A", "Skola B", "Skola D"}
    # Frida, placed in A and B, is the trained person of both.
    assert found["Skola A"].met and found["Skola B"].met
    assert not found["Skola D"].met
    assert describe_missing(found["Skola D"].missing) == ["ingen utbildad person"]


def test_managers_only_counts_compliant_managers(school):
    r = rule(school, min_people=2, managers_only=True, unit_type="Skola")
    evaluate_certification_rules(now=NOW)
    found = states(school, r)
    assert describe_missing(found["Skola A"].missing) == ["1 chef till"]
    assert describe_missing(found["Skola B"].missing) == ["2 fler chefer"]


def test_new_hires_count_only_once_their_window_has_passed(school):
    r = rule(school, new_hire_days=30, new_hires_from=date(2025, 1, 1))
    evaluate_certification_rules(now=NOW)
    found = states(school, r)
    # Dora, hired 10 days ago, is inside her 30 days; Gustav, 40 days ago, is not.
    assert found["Skola A"].met
    assert not found["Skola B"].met
    assert found["Skola B"].late_new_hires == 1
    assert describe_missing(found["Skola B"].missing) == ["1 nyanställd utanför 30 dagar"]
    # People hired before the rule's "new hires" date are not new hires.
    assert found["Skola D"].met


def test_a_new_hire_on_the_last_day_of_the_window_is_still_inside(school):
    school.people.gustav.learner_profile.hire_date = TODAY - timedelta(days=30)
    school.people.gustav.learner_profile.save()
    r = rule(school, new_hire_days=30, new_hires_from=date(2025, 1, 1))
    evaluate_certification_rules(now=NOW)
    assert states(school, r)["Skola B"].met


def test_a_late_new_hire_who_completes_no_longer_holds_the_unit_back(school):
    course_completed(school.people.gustav, school.course, when=NOW - timedelta(hours=1))
    r = rule(school, new_hire_days=30, new_hires_from=date(2025, 1, 1))
    evaluate_certification_rules(now=NOW)
    assert states(school, r)["Skola B"].met


def test_combined_conditions_must_all_hold(school):
    r = rule(school, min_share=50, min_people=2, new_hire_days=30, new_hires_from=date(2025, 1, 1))
    evaluate_certification_rules(now=NOW)
    found = states(school, r)
    assert found["Skola A"].met  # 60 %, 3 people, no late hire
    assert describe_missing(found["Skola B"].missing) == [
        "1 utbildad person till för 50 % (nu 33,3 %)",
        "1 utbildad person till",
        "1 nyanställd utanför 30 dagar",
    ]


def test_a_unit_whose_compliance_expires_soon_is_at_risk(school):
    r = rule(school, min_share=80)
    evaluate_certification_rules(now=NOW)
    found = states(school, r)
    assert found["Förskola C"].met and found["Förskola C"].at_risk
    # Two months on, Hanna's completion has expired: the pre-school no longer meets it.
    later = NOW + relativedelta(months=2)
    evaluate_certification_rules(now=later)
    assert not states(school, r, on=later.date())["Förskola C"].met


def test_snapshots_answer_past_dates(school):
    r = rule(school, min_people=1, unit_type="Skola")
    earlier = NOW - timedelta(days=10)  # before anyone of the schools had completed
    evaluate_certification_rules(now=earlier)
    evaluate_certification_rules(now=NOW)
    assert not states(school, r, on=earlier.date())["Skola A"].met
    # A day without an evaluation reads the latest before it.
    between = states(school, r, on=earlier.date() + timedelta(days=3))["Skola A"]
    assert (between.met, between.date) == (False, earlier.date())
    assert states(school, r, on=TODAY)["Skola A"].met
    assert states(school, r, on=earlier.date() - timedelta(days=1)) == {}
    history = get_unit_rule_history(user=school.hr, unit=school.a, until=TODAY)
    assert [(s.date, s.met) for s in history] == [(TODAY, True), (earlier.date(), False)]


def test_running_twice_a_day_keeps_one_snapshot_per_rule_unit_and_day(school):
    r = rule(school, min_share=80)
    evaluate_certification_rules(now=NOW)
    evaluate_certification_rules(now=NOW + timedelta(hours=2))
    assert UnitRuleSnapshot.objects.filter(rule=r).count() == 5


def test_people_who_left_and_external_participants_are_not_counted(school):
    staff_member(school.d, first_name="Extern", username="extern", external=True)
    staff_member(school.d, first_name="Gone", username="gone", leave_date=TODAY)
    r = rule(school, min_share=80)
    evaluate_certification_rules(now=NOW)
    assert states(school, r)["Skola D"].audience == 1


def test_hr_of_another_organisation_sees_no_state(school):
    other = hr_user(org_unit("Kommun Z"), username="hr-z")
    rule(school, min_share=80)
    evaluate_certification_rules(now=NOW)
    assert get_rule_states(user=other, on=TODAY) == []
    with pytest.raises(LookupError):
        get_unit_rule_history(user=other, unit=school.a)


def test_a_unit_with_nobody_in_the_audience_is_not_certified():
    r = CertificationRule(name="x", min_people=1)
    verdict = judge(r, Figures())
    assert not verdict.met
    assert describe_missing(verdict.missing) == ["ingen i målgruppen", "ingen utbildad person"]
    with translation.override("en"):
        assert describe_missing(verdict.missing) == ["nobody in the audience", "no trained person"]


def test_evaluation_takes_the_same_queries_for_more_units(school, django_assert_num_queries):
    """Per rule: its units, the course's assignments, one grouped query per depth judged,
    the upsert (in a savepoint), and the unit certificates' two reads (the day's snapshots,
    the certificates in force); plus the rules and their courses once. A day that changes
    no certificate costs no more."""
    rule(school, min_share=80)  # judges depths 3 and 4
    rule(school, min_people=1, unit_type="Skola", new_hire_days=30)  # depth 4 only
    evaluate_certification_rules(now=NOW)  # the first day issues certificates
    with django_assert_num_queries(2 + 9 + 8):
        evaluate_certification_rules(now=NOW)
    for i in range(6):
        extra = unit(f"Skola X{i}", school.utbildning, "Skola")
        staff_member(extra, first_name=f"X{i}", username=f"x{i}", hire_date=date(2018, 1, 1))
    with django_assert_num_queries(2 + 9 + 8):
        counts = evaluate_certification_rules(now=NOW)
    # Förskola C; Skola A and B (hired before the rule was made, Gustav is no new hire).
    assert counts == {"rules": 2, "units": 11 + 9, "met": 1 + 2}


def test_the_daily_schedule_runs_the_evaluation_through_the_queue(school):
    from django_q.models import Schedule
    from django_q.tasks import async_task

    from wagtail_learning.compliance.schedules import CERTIFICATION, ensure_schedules

    r = rule(school, min_people=1, unit_type="Skola")
    ensure_schedules()
    schedule = Schedule.objects.get(name=CERTIFICATION)
    async_task(schedule.func)  # the queue runs tasks inline in the test settings
    assert {name: s.met for name, s in states(school, r).items()} == {
        "Skola A": True,
        "Skola B": True,
        "Skola D": False,
    }


# --- Each person once, whatever the number of units they are placed in ---------------------
# (make mutate: each count of the evaluation is per person, not per placement.)


def test_a_rule_of_four_trained_people_is_at_risk_when_one_of_the_four_expires_soon(school):
    """Utbildning has four trained: Anna, Bo, Frida (placed in two schools) and Hanna, whose
    completion lapses in about 20 days. After that three remain, however many placements
    Frida has: the unit meets the rule today and is at risk."""
    r = rule(school, min_people=4)
    evaluate_certification_rules(now=NOW)
    utbildning = states(school, r)["Utbildning"]
    assert (utbildning.met, utbildning.at_risk) == (True, True)


def test_managers_are_counted_once_each_for_the_figure_and_the_risk(school):
    """Frida is made a manager (placed in Skola A and B); Erik, a manager, completed 11
    months and 10 days ago. Trained managers at Utbildning: Anna, Frida, Erik = 3; still
    trained in 30 days: Anna and Frida."""
    frida = school.people.frida.learner_profile
    frida.is_manager = True
    frida.save(update_fields=["is_manager"])
    course_completed(
        school.people.erik, school.course, when=NOW - relativedelta(months=11, days=10)
    )
    three = rule(school, name="Tre chefer", min_people=3, managers_only=True)
    four = rule(school, name="Fyra chefer", min_people=4, managers_only=True)
    evaluate_certification_rules(now=NOW)

    utbildning = states(school, three)["Utbildning"]
    assert utbildning.compliant_managers == 3
    assert (utbildning.met, utbildning.at_risk) == (True, True)
    assert not states(school, four)["Utbildning"].met
    assert describe_missing(states(school, four)["Utbildning"].missing) == ["1 chef till"]


def test_a_late_new_hire_placed_in_two_schools_is_one_late_new_hire(school):
    staff_member(
        school.b,
        also_in=[school.a],
        first_name="Greta",
        username="greta",
        hire_date=TODAY - timedelta(days=45),
    )
    r = rule(school, new_hire_days=30, new_hires_from=TODAY - timedelta(days=365))
    evaluate_certification_rules(now=NOW)
    assert states(school, r)["Utbildning"].late_new_hires == 2  # Gustav and Greta


def test_an_empty_unit_shows_zeros_and_is_neither_certified_nor_at_risk(school):
    unit("Skola E", school.utbildning, "Skola")
    r = rule(school, min_share=80)
    evaluate_certification_rules(now=NOW)
    empty = states(school, r)["Skola E"]
    figures = (empty.audience, empty.compliant, empty.compliant_managers, empty.late_new_hires)
    assert figures == (0, 0, 0, 0)
    assert (empty.met, empty.at_risk) == (False, False)
    assert describe_missing(empty.missing) == ["ingen i målgruppen"]


def test_a_unit_that_falls_short_today_is_not_at_risk_but_unmet(school):
    r = rule(school, min_share=80)
    evaluate_certification_rules(now=NOW)
    skola_b = states(school, r)["Skola B"]
    assert (skola_b.met, skola_b.at_risk) == (False, False)


def test_a_share_is_rounded_up_to_whole_people():
    """Half of 101 people is 50.5: 51 must be trained; 50 is one short."""
    r = CertificationRule(name="Hälften", min_share=50)
    short = judge(r, Figures(audience=101, compliant=50))
    assert not short.met
    assert short.missing[0]["people"] == 1
    assert judge(r, Figures(audience=101, compliant=51)).met


def test_what_is_missing_of_managers_reads_in_words():
    missing = [{"kind": "people", "managers": True, "have": 0, "people": 1}]
    assert describe_missing(missing) == ["ingen utbildad chef"]
    two = [{"kind": "people", "managers": True, "have": 0, "people": 2}]
    assert describe_missing(two) == ["2 fler chefer"]
    with translation.override("en"):
        assert describe_missing(missing) == ["no trained manager"]
        assert describe_missing(two) == ["2 more managers"]
