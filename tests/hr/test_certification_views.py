# ruff: noqa: F811 - the fixtures are shared with tests/compliance/test_certification.py
"""HR's certified-units screens: the dashboard's rule column, the state on a chosen date,
a unit's history, the rule editor; each behind the wall."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from tests.compliance.test_certification import TODAY, frozen, rule, school  # noqa: F401, F811
from tests.factories import hr_user, in_english, org_unit
from tests.hr.conftest import NOW
from wagtail_learning.compliance.api import CertificationRule, evaluate_certification_rules

pytestmark = pytest.mark.django_db

STATES = "/admin/hr/certification/"


@pytest.fixture
def hr_client(client, school):
    client.force_login(school.hr)
    return in_english(client)


@pytest.fixture
def evaluated(school):
    r = rule(school, name="En utbildad per skola", min_people=1, unit_type="Skola")
    evaluate_certification_rules(now=NOW - timedelta(days=10))
    evaluate_certification_rules(now=NOW)
    return r


def test_the_dashboard_shows_each_units_rule_state_in_words(hr_client, school, evaluated):
    response = hr_client.get("/admin/hr/compliance/", {"unit": school.utbildning.pk})
    assert response.status_code == 200
    html = response.content.decode()
    states = response.context["rule_states"]
    assert [s.met for s in states[school.a.pk]] == [True]
    assert [s.words for s in states[school.d.pk]] == [["no trained person"]]
    assert "no trained person" in html
    assert reverse("hr_unit_certification", args=[school.d.pk]) in html


def test_the_state_on_a_past_date_is_that_days(hr_client, school, evaluated):
    past = (NOW - timedelta(days=8)).date()
    response = hr_client.get(STATES, {"date": past.isoformat()})
    assert response.status_code == 200
    [entry] = response.context["rules"]
    # Ten days ago nobody at the schools had completed: no school was certified.
    assert {s.snapshot.unit.name: s.met for s in entry["states"]} == {
        "Skola A": False,
        "Skola B": False,
        "Skola D": False,
    }
    assert f'value="{past.isoformat()}"' in response.content.decode()
    response = hr_client.get(STATES)
    # Without a date the page shows today's states, and its date field says so.
    assert f'value="{timezone.localdate().isoformat()}"' in response.content.decode()
    today = response.context["rules"][0]["states"]
    assert {s.snapshot.unit.name: s.met for s in today} == {
        "Skola A": True,
        "Skola B": True,
        "Skola D": False,
    }


def test_before_any_evaluation_the_page_says_so(hr_client, evaluated):
    response = hr_client.get(STATES, {"date": "2020-01-01"})
    assert response.status_code == 200
    assert "No certification rule had been evaluated by that date." in response.content.decode()


@pytest.mark.parametrize("bad", ["2026-02-30", "igår", "9999999-01-01"])
def test_a_bad_date_is_a_clear_400(hr_client, evaluated, bad):
    response = hr_client.get(STATES, {"date": bad})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_a_units_history_lists_its_days(hr_client, school, evaluated):
    response = hr_client.get(reverse("hr_unit_certification", args=[school.a.pk]))
    assert response.status_code == 200
    assert [(s.snapshot.date, s.met) for s in response.context["history"]] == [
        (TODAY, True),
        ((NOW - timedelta(days=10)).date(), False),
    ]


def test_hr_of_another_organisation_sees_nothing_of_it(client, school, evaluated):
    other = hr_user(org_unit("Kommun Z"), username="hr-z")
    client.force_login(other)
    response = client.get(STATES)
    assert response.status_code == 200
    assert response.context["rules"] == []
    assert "Skola" not in response.content.decode()
    # Wagtail answers a refused admin page with a redirect to the dashboard and a message.
    refused = client.get(reverse("hr_unit_certification", args=[school.a.pk]))
    assert refused.status_code == 302
    assert "Skola" not in refused.content.decode()
    assert client.get(reverse("hr_unit_certification", args=[999999])).status_code == 404


def test_people_without_the_report_permission_are_refused(client, school, evaluated):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert client.get(STATES).status_code in (302, 403)


def grant_rules(user):
    user.groups.first().permissions.add(
        *Permission.objects.filter(
            content_type__app_label="compliance",
            codename__in=[
                "add_certificationrule",
                "change_certificationrule",
                "view_certificationrule",
            ],
        )
    )


def test_hr_adds_a_rule_on_their_own_assignment_only(hr_client, school):
    grant_rules(school.hr)
    from tests.factories import assign_course
    from wagtail_learning.compliance.models import Assignment

    foreign = assign_course(school.course, org_unit("Kommun Z"))
    add = reverse("hr_certification_rules:add")
    form = hr_client.get(add).context["form"]
    assert list(form.fields["assignment"].queryset) == [school.assignment]
    data = {"name": "Två chefer", "min_people": "2", "managers_only": "on", "active": "on"}
    response = hr_client.post(add, {**data, "assignment": foreign.pk})
    assert response.status_code == 200  # the form again, with the error
    assert not CertificationRule.objects.exists()
    response = hr_client.post(add, {**data, "assignment": school.assignment.pk})
    assert response.status_code == 302
    created = CertificationRule.objects.get()
    assert (created.assignment, created.min_people, created.managers_only) == (
        school.assignment,
        2,
        True,
    )
    assert Assignment.objects.count() == 2


def test_a_rule_without_any_condition_is_refused(hr_client, school):
    grant_rules(school.hr)
    response = hr_client.post(
        reverse("hr_certification_rules:add"),
        {"name": "Tom", "assignment": school.assignment.pk, "active": "on"},
    )
    assert response.status_code == 200
    assert "Give at least one condition" in response.content.decode()
    assert not CertificationRule.objects.exists()
