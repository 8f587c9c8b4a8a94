"""The staff import (org.imports: import_staff) and its management command: a fixture HR
export with good rows, 20 kinds of bad input, duplicates and leavers, as CSV and XLSX."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.factories import (
    HR_HEADINGS,
    CoursePageFactory,
    SuperuserFactory,
    employee,
    hr_export,
    hr_row,
    unit_at,
)
from wagtail_learning.compliance.models import Assignment
from wagtail_learning.lms.models import Enrolment
from wagtail_learning.org.api import find_unit, import_staff, read_table
from wagtail_learning.org.errors import InvalidInput
from wagtail_learning.org.imports import apply as people
from wagtail_learning.org.models import LearnerProfile, Membership, Organisation

pytestmark = pytest.mark.django_db

User = get_user_model()
STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = date(2026, 1, 10)
ENHET_A = "Huddinge/Socialförvaltningen/Enhet A"
ENHET_B = "Huddinge/Socialförvaltningen/Enhet B"
SKOLA = "Botkyrka/Utbildning/Skola 1"

GOOD = [
    hr_row("1001", "Anna", "Andersson"),
    hr_row("1002", "Bo", "Berg", title="Enhetschef", manager="ja", hired="2018-03-01"),
    hr_row("1003", "Cecilia", "Ek", unit=ENHET_B, hired="20190401"),
    hr_row("1004", "Dan", "Öst", unit=ENHET_B, kind="extern", hired="01.02.2021"),
    hr_row("1005", "Eva", "Ås", unit=ENHET_B, left="2099-12-31", manager=""),
]
GOOD_NUMBERS = [row[0] for row in GOOD]

# kind -> (rows, the column the error names, a piece of its message). Each bad row has a
# last name of its own, so a test can tell it was not imported.
BAD: dict[str, tuple[list[list], str, str]] = {
    "missing employee number": (
        [hr_row("", "Fia", "Fel-1", email="fia@huddinge.se")],
        "Anställningsnummer",
        "required",
    ),
    "missing first name": ([hr_row("2002", "", "Fel-2")], "Förnamn", "required"),
    "missing last name": ([hr_row("2003", "Fel-3", "")], "Efternamn", "required"),
    "missing unit": ([hr_row("2004", "Gun", "Fel-4", unit="")], "Enhet", "required"),
    "bad email": ([hr_row("2005", "Hans", "Fel-5", email="inte-en-adress")], "E-post", "email"),
    "bad manager flag": ([hr_row("2006", "Ida", "Fel-6", manager="kanske")], "Chef", '"ja"'),
    "bad kind": ([hr_row("2007", "Jan", "Fel-7", kind="konsult")], "Typ", '"extern"'),
    "malformed hire date": (
        [hr_row("2008", "Kim", "Fel-8", hired="15 jan 2020")],
        "Anställningsdatum",
        "not a date",
    ),
    "malformed leave date": (
        [hr_row("2009", "Lo", "Fel-9", left="snart")],
        "Slutdatum",
        "not a date",
    ),
    "leave before hire": (
        [hr_row("2010", "Mia", "Fel-10", hired="2020-01-15", left="2019-12-31")],
        "Slutdatum",
        "before the hire date",
    ),
    "unknown unit": (
        [hr_row("2011", "Nils", "Fel-11", unit="Huddinge/Socialförvaltningen/Enhet Okänd")],
        "Enhet",
        "No unit",
    ),
    "unit outside the organisation": (
        [hr_row("2012", "Olle", "Fel-12", unit=SKOLA)],
        "Enhet",
        "outside Huddinge",
    ),
    "duplicate employee number": (
        [hr_row("2013", "Per", "Fel-13"), hr_row("2013", "Pia", "Fel-13", unit=ENHET_B)],
        "Anställningsnummer",
        "also on row",
    ),
    "too-long employee number": (
        [hr_row("9" * 65, "Rut", "Fel-14")],
        "Anställningsnummer",
        "Longer than 64",
    ),
    "too-long name": ([hr_row("2015", "S" * 151, "Fel-15")], "Förnamn", "Longer than 150"),
    "too-long job title": (
        [hr_row("2016", "Tor", "Fel-16", title="T" * 201)],
        "Befattning",
        "Longer than 200",
    ),
    "unit path deeper than 10 levels": (
        [hr_row("2017", "Ulf", "Fel-17", unit="Huddinge/" + "/".join(f"N{i}" for i in range(10)))],
        "Enhet",
        "deeper than 10",
    ),
    "impossible date": (
        [hr_row("2018", "Vera", "Fel-18", hired="2024-02-30")],
        "Anställningsdatum",
        "not a date",
    ),
}
BLANK = ["  ", "", " \t", "", "", "", "", "", "", ""]


def _build():
    rows = list(GOOD)
    numbers: dict[str, list[int]] = {}
    for index, (kind, (bad_rows, _column, _message)) in enumerate(BAD.items()):
        if index == 5:
            rows.append(BLANK)  # a whitespace-only row in the middle: skipped
        numbers[kind] = []
        for row in bad_rows:
            rows.append(row)
            numbers[kind].append(len(rows) + 1)  # the heading is row 1
    return rows, numbers


EXPORT_ROWS, BAD_ROW_NUMBERS = _build()
BLANK_ROW_NUMBER = EXPORT_ROWS.index(BLANK) + 2


@pytest.fixture(autouse=True)
def _english():
    """Messages in the source language, whatever the Swedish catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def tree():
    for path in (ENHET_A, ENHET_B, SKOLA):
        unit_at(path)
    # Looked up after all are made: a sorted insert (Botkyrka < Huddinge) moves paths.
    return SimpleNamespace(
        huddinge=find_unit("Huddinge"),
        soc=find_unit("Huddinge/Socialförvaltningen"),
        a=find_unit(ENHET_A),
        b=find_unit(ENHET_B),
        botkyrka=find_unit("Botkyrka"),
        skola=find_unit(SKOLA),
    )


def run(rows, tree, *, fmt="csv", dry_run=False, **kwargs):
    data, name = hr_export(rows, fmt=fmt)
    kwargs.setdefault("scope", find_unit("Huddinge"))
    return import_staff(data, filename=name, dry_run=dry_run, today=TODAY, **kwargs)


def snapshot() -> dict:
    return {
        "users": User.objects.count(),
        "profiles": LearnerProfile.objects.count(),
        "memberships": Membership.objects.count(),
        "units": Organisation.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "left": LearnerProfile.objects.filter(leave_date__isnull=False).count(),
    }


def labels(numbers) -> list[str]:
    by_number = {row[0]: row for row in GOOD}
    return [f"{n} {by_number[n][1]} {by_number[n][2]}" for n in numbers]


# --- The fixture export: good rows in, bad rows out, each error named -----------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_good_rows_are_imported(tree, fmt):
    report = run(EXPORT_ROWS, tree, fmt=fmt)

    assert report.created == labels(GOOD_NUMBERS)
    assert report.updated == [] and report.left == [] and report.unchanged == 0
    anna = LearnerProfile.objects.select_related("user").get(employee_number="1001")
    assert (anna.user.first_name, anna.user.last_name) == ("Anna", "Andersson")
    assert anna.user.email == "1001@huddinge.se"
    assert anna.user.username == "anst-1001"
    assert not anna.user.has_usable_password()
    assert anna.unit == tree.a
    assert anna.job_title == "Handläggare"
    assert anna.hire_date == date(2020, 1, 15)
    assert anna.leave_date is None
    assert Membership.objects.filter(user=anna.user, unit=tree.a).exists()
    bo = LearnerProfile.objects.get(employee_number="1002")
    assert bo.is_manager and bo.job_title == "Enhetschef"
    cecilia = LearnerProfile.objects.get(employee_number="1003")
    assert cecilia.unit == tree.b and cecilia.hire_date == date(2019, 4, 1)
    dan = LearnerProfile.objects.get(employee_number="1004")
    assert dan.kind == LearnerProfile.Kind.EXTERNAL and dan.hire_date == date(2021, 2, 1)
    eva = LearnerProfile.objects.get(employee_number="1005")
    assert eva.leave_date == date(2099, 12, 31) and not eva.is_manager


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", list(BAD))
def test_each_kind_of_bad_row_is_reported_by_row_and_column_and_not_imported(tree, kind, fmt):
    bad_rows, column, message = BAD[kind]

    report = run(EXPORT_ROWS, tree, fmt=fmt)

    for number in BAD_ROW_NUMBERS[kind]:
        errors = [e for e in report.errors if e.row == number]
        assert any(e.column == column and message in e.message for e in errors), errors
    for row in bad_rows:
        if row[0]:
            assert not LearnerProfile.objects.filter(employee_number=row[0]).exists()
        if row[2]:
            assert not User.objects.filter(last_name=row[2]).exists()
        assert not User.objects.filter(first_name=row[1], last_name=row[2]).exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_only_the_bad_rows_have_errors_and_a_blank_row_is_skipped(tree, fmt):
    report = run(EXPORT_ROWS, tree, fmt=fmt)

    expected_rows = {n for numbers in BAD_ROW_NUMBERS.values() for n in numbers}
    assert {e.row for e in report.errors} == expected_rows
    assert report.rows_with_errors == len(expected_rows) == 19
    assert BLANK_ROW_NUMBER not in {e.row for e in report.errors}
    assert report.blank_rows == 1
    assert report.errors == sorted(report.errors, key=lambda e: (e.row, e.column))


def test_mapping_to_a_column_the_file_lacks_is_invalid_input(tree):
    data, name = hr_export(EXPORT_ROWS)
    before = snapshot()

    with pytest.raises(InvalidInput, match='"Personnummer" mapped to employee_number'):
        import_staff(data, filename=name, mapping={"employee_number": "Personnummer"})
    with pytest.raises(InvalidInput, match="Unknown fields"):
        import_staff(data, filename=name, mapping={"shoe_size": "Förnamn"})
    with pytest.raises(InvalidInput, match="no column for: unit"):
        import_staff(data, filename=name, mapping={"unit": ""}, dry_run=False)
    assert snapshot() == before


def test_an_explicit_mapping_reads_other_headings(tree):
    headings = ["Nr", "Namn", "Släktnamn", "Mail", "Org"]
    data, name = hr_export(
        [["1001", "Anna", "Andersson", "anna@huddinge.se", ENHET_A]], headings=headings
    )
    mapping = {
        "employee_number": "nr",  # headings match case-insensitively
        "first_name": "Namn",
        "last_name": "Släktnamn",
        "email": "Mail",
        "unit": "Org",
    }

    report = import_staff(data, filename=name, mapping=mapping, dry_run=False)

    assert report.created == ["1001 Anna Andersson"]
    assert User.objects.get(username="anst-1001").email == "anna@huddinge.se"


# --- Dry runs, reruns, leavers ------------------------------------------------------------


def test_a_dry_run_changes_nothing_and_reports_what_the_real_run_does(tree):
    employee(tree.a, "3001", first_name="Gamla", last_name="Gustavsson")
    rows = [*EXPORT_ROWS, hr_row("1006", "Ny", "Enhetsson", unit=f"{ENHET_A}/Grupp 1")]
    before = snapshot()

    dry = run(rows, tree, dry_run=True, full=True, create_units=True)

    assert snapshot() == before
    assert dry.dry_run
    # With units created, the row naming an unknown unit is good too.
    assert dry.created == [*labels(GOOD_NUMBERS), "2011 Nils Fel-11", "1006 Ny Enhetsson"]
    assert dry.left == ["3001 Gamla Gustavsson"]
    assert dry.units_created == [
        "Huddinge/Socialförvaltningen/Enhet Okänd",
        f"{ENHET_A}/Grupp 1",
    ]

    real = run(rows, tree, full=True, create_units=True)

    assert not real.dry_run
    for name in ("created", "updated", "changes", "unchanged", "left", "units_created", "errors"):
        assert getattr(real, name) == getattr(dry, name), name
    assert snapshot() != before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_second_run_of_the_same_file_changes_nothing(tree, fmt):
    run(EXPORT_ROWS, tree, fmt=fmt, full=True)
    before = snapshot()
    stamps = dict(LearnerProfile.objects.values_list("employee_number", "updated_at"))

    again = run(EXPORT_ROWS, tree, fmt=fmt, full=True)

    assert again.unchanged == len(GOOD)
    assert again.created == again.updated == again.left == again.units_created == []
    assert snapshot() == before
    assert dict(LearnerProfile.objects.values_list("employee_number", "updated_at")) == stamps


def test_a_full_import_marks_missing_people_as_left_and_deletes_no_one(tree):
    gone = employee(tree.a, "3001", first_name="Gamla", last_name="Gustavsson")
    external = employee(tree.b, "3002", kind=LearnerProfile.Kind.EXTERNAL)
    left_before = employee(tree.b, "3003", leave_date=date(2025, 6, 30))
    elsewhere = employee(tree.skola, "4001")
    # In the file, but on a bad row: not missing, so not marked as left.
    mentioned = employee(tree.a, "2005", first_name="Hans", last_name="Fel-5")
    users = User.objects.count()

    report = run(EXPORT_ROWS, tree, full=True)

    assert report.left == ["3001 Gamla Gustavsson"]
    gone_profile = LearnerProfile.objects.get(user=gone)
    assert gone_profile.leave_date == TODAY
    assert Membership.objects.filter(user=gone, unit=tree.a).exists()
    assert LearnerProfile.objects.get(user=external).leave_date is None
    assert LearnerProfile.objects.get(user=left_before).leave_date == date(2025, 6, 30)
    assert LearnerProfile.objects.get(user=elsewhere).leave_date is None
    assert LearnerProfile.objects.get(user=mentioned).leave_date is None
    assert User.objects.count() == users + len(GOOD)


def test_an_import_that_is_not_full_marks_no_one_as_left(tree):
    gone = employee(tree.a, "3001")

    report = run(EXPORT_ROWS, tree)

    assert report.left == []
    assert LearnerProfile.objects.get(user=gone).leave_date is None


def test_a_full_import_needs_the_organisation(tree):
    data, name = hr_export(GOOD)
    with pytest.raises(InvalidInput, match="needs the organisation"):
        import_staff(data, filename=name, full=True, scope=None)


def test_someone_who_reappears_is_no_longer_left(tree):
    run(GOOD, tree, full=True)
    run(GOOD[1:], tree, full=True)
    assert LearnerProfile.objects.get(employee_number="1001").leave_date == TODAY

    report = run(GOOD, tree, full=True)

    assert report.updated == ["1001 Anna Andersson"]
    assert report.changes == [["leave_date"]]
    assert LearnerProfile.objects.get(employee_number="1001").leave_date is None


def test_changes_of_existing_people_are_updated_and_listed(tree):
    anna = employee(
        tree.b, "1001", first_name="Anna", last_name="Larsson", email="1001@huddinge.se"
    )

    report = run(GOOD[:1], tree)

    assert report.updated == ["1001 Anna Andersson"]
    assert report.changes == [["last_name", "unit", "job_title", "hire_date"]]
    profile = LearnerProfile.objects.select_related("user").get(user=anna)
    assert profile.user.last_name == "Andersson"
    assert profile.unit == tree.a
    assert set(Membership.objects.filter(user=anna).values_list("unit", flat=True)) == {tree.a.pk}


def test_a_file_without_a_column_leaves_that_field_alone(tree):
    employee(tree.a, "1001", job_title="Socionom", hire_date=date(2011, 1, 1), is_manager=True)
    headings = ["Anställningsnummer", "Förnamn", "Efternamn", "Enhet"]
    data, name = hr_export([["1001", "Lena", "Larsson 0", ENHET_A]], headings=headings)
    User.objects.filter(username="anst-1001").update(first_name="Lena", last_name="Larsson 0")

    report = import_staff(data, filename=name, scope=tree.huddinge, dry_run=False)

    assert report.unchanged == 1 and report.updated == []
    profile = LearnerProfile.objects.get(employee_number="1001")
    assert (profile.job_title, profile.hire_date, profile.is_manager) == (
        "Socionom",
        date(2011, 1, 1),
        True,
    )


def test_a_missing_membership_of_the_unit_is_restored(tree):
    user = employee(
        tree.a, "1001", first_name="Anna", last_name="Andersson", email="1001@huddinge.se"
    )
    LearnerProfile.objects.filter(user=user).update(job_title="Handläggare", hire_date="2020-01-15")
    Membership.objects.filter(user=user).delete()

    report = run(GOOD[:1], tree)

    assert report.changes == [["membership"]]
    assert Membership.objects.filter(user=user, unit=tree.a).exists()
    assert run(GOOD[:1], tree).unchanged == 1


# --- Units --------------------------------------------------------------------------------


def test_units_are_created_from_paths_only_when_allowed(tree):
    path = "Huddinge/Kulturförvaltningen/Biblioteket/Filial Flemingsberg"
    rows = [hr_row("1001", unit=path)]

    refused = run(rows, tree)

    assert [(e.column, e.message) for e in refused.errors] == [
        ("Enhet", f'No unit "{path}" (allow creating units to add it).')
    ]
    assert find_unit("Huddinge/Kulturförvaltningen") is None
    assert not LearnerProfile.objects.exists()

    created = run(rows, tree, create_units=True)

    assert created.units_created == [
        "Huddinge/Kulturförvaltningen",
        "Huddinge/Kulturförvaltningen/Biblioteket",
        path,
    ]
    unit = find_unit(path)
    assert unit.get_parent().name == "Biblioteket"
    assert unit.path.startswith(find_unit("Huddinge").path)
    assert LearnerProfile.objects.get(employee_number="1001").unit == unit
    assert run(rows, tree, create_units=True).units_created == []


def test_units_outside_the_organisation_are_never_created(tree):
    units = Organisation.objects.count()

    report = run(
        [hr_row("1001", unit="Botkyrka/Ny förvaltning/Ny enhet"), hr_row("1002", unit="Aneby")],
        tree,
        create_units=True,
    )

    assert [e.message for e in report.errors] == [
        '"Botkyrka/Ny förvaltning/Ny enhet" is outside Huddinge.',
        'No unit "Aneby" in Huddinge. Give its name or its full path, starting with '
        '"Huddinge/" (a new unit needs its full path and "allow creating units").',
    ]
    assert report.units_created == []
    assert Organisation.objects.count() == units


def test_a_unit_may_be_named_alone_or_below_the_organisation_when_that_is_unique(tree):
    report = run(
        [
            hr_row("1001", unit="Enhet A"),
            hr_row("1002", unit="Socialförvaltningen/Enhet B"),
            hr_row("1003", unit=ENHET_B),
        ],
        tree,
    )

    assert report.errors == []
    assert LearnerProfile.objects.get(employee_number="1001").unit == tree.a
    assert LearnerProfile.objects.get(employee_number="1002").unit == tree.b
    assert LearnerProfile.objects.get(employee_number="1003").unit == tree.b


def test_an_ambiguous_unit_name_is_a_row_error_that_lists_the_candidates(tree):
    unit_at("Huddinge/Utbildning/Enhet A")

    report = run([hr_row("1001", unit="Enhet A"), hr_row("1002", unit=ENHET_A)], tree)

    assert [(e.row, e.column) for e in report.errors] == [(2, "Enhet")]
    assert report.errors[0].message == (
        '"Enhet A" names 2 units in Huddinge: Huddinge/Socialförvaltningen/Enhet A; '
        "Huddinge/Utbildning/Enhet A. Give the full path."
    )
    assert report.created == ["1002 Anna Andersson"]
    assert not LearnerProfile.objects.filter(employee_number="1001").exists()


def test_a_bare_name_never_reaches_a_unit_of_another_organisation(tree):
    report = run([hr_row("1001", unit="Skola 1")], tree)  # Botkyrka's

    assert [e.message.split(".")[0] for e in report.errors] == ['No unit "Skola 1" in Huddinge']
    assert not LearnerProfile.objects.filter(employee_number="1001").exists()


def test_many_new_sibling_units_keep_the_tree_consistent(tree):
    # Sorted inserts move later siblings' paths; units must still land where named.
    names = ["Ö", "A", "M", "Å", "B", "Z", "Ä", "C"]
    rows = [hr_row(f"10{i}", unit=f"{ENHET_A}/{name}/Team") for i, name in enumerate(names)]

    report = run(rows, tree, create_units=True)

    assert len(report.created) == len(names)
    for i, name in enumerate(names):
        unit = LearnerProfile.objects.get(employee_number=f"10{i}").unit
        assert unit.name == "Team"
        assert unit.get_parent().name == name
        assert unit.get_parent().get_parent() == find_unit(ENHET_A)
    assert Organisation.find_problems() == ([], [], [], [], [])


# --- People outside the organisation, and accounts ------------------------------------------


def test_another_organisations_employee_number_is_a_new_person_here(tree):
    """Botkyrka's 4001 is not Huddinge's 4001: Huddinge's import creates its own person,
    touches Botkyrka's not, and says nothing about Botkyrka's staff."""
    other = employee(tree.skola, "4001", first_name="Bo", last_name="Botkyrka")

    report = run([hr_row("4001", "Kim", "Huddinge")], tree)

    assert not report.errors and report.created == ["4001 Kim Huddinge"]
    theirs = LearnerProfile.objects.select_related("user").get(user=other)
    assert (theirs.unit, theirs.user.last_name) == (tree.skola, "Botkyrka")
    ours = LearnerProfile.objects.select_related("user").get(organisation=tree.huddinge)
    assert (ours.employee_number, ours.unit, ours.user.last_name) == ("4001", tree.a, "Huddinge")
    assert ours.user != other


def test_two_municipalities_import_the_same_employee_numbers(tree):
    """Each municipality's payroll numbers from 1001: both imports go through, twice."""
    botkyrka_rows = [
        hr_row("1001", "Bea", "Botkyrka", unit=SKOLA, email="bea@botkyrka.se"),
        hr_row("1002", "Bill", "Botkyrka", unit=SKOLA, email="bill@botkyrka.se"),
    ]
    assert not run(GOOD[:2], tree).errors
    first = run(botkyrka_rows, tree, scope=tree.botkyrka)
    again = run(botkyrka_rows, tree, scope=tree.botkyrka)

    assert not first.errors and first.created == ["1001 Bea Botkyrka", "1002 Bill Botkyrka"]
    assert not again.errors and (again.created, again.unchanged) == ([], 2)
    profiles = LearnerProfile.objects.filter(employee_number="1001").select_related("user")
    assert sorted((p.organisation.name, p.user.first_name) for p in profiles) == [
        ("Botkyrka", "Bea"),
        ("Huddinge", "Anna"),
    ]
    assert User.objects.get(learner_profile__organisation=tree.huddinge, last_name="Andersson")


def test_an_import_without_a_scope_tells_organisations_apart_by_the_units_path(tree):
    employee(tree.a, "1001", first_name="Anna", last_name="Andersson")

    report = run(
        [hr_row("1001", "Bea", "Botkyrka", unit=SKOLA, email="bea@botkyrka.se")],
        tree,
        scope=None,
    )

    assert not report.errors and report.created == ["1001 Bea Botkyrka"]
    assert User.objects.get(username="anst-1001").first_name == "Anna"
    bea = LearnerProfile.objects.get(organisation=tree.botkyrka, employee_number="1001")
    assert (bea.unit, bea.user.username) == (tree.skola, "anst-1001-2")


def test_an_admin_account_with_the_username_is_not_taken_over(tree):
    admin = SuperuserFactory(username="anst-1001", email="it@huddinge.se")

    run(GOOD[:1], tree)

    admin.refresh_from_db()
    assert admin.email == "it@huddinge.se"
    assert not LearnerProfile.objects.filter(user=admin).exists()
    assert LearnerProfile.objects.get(employee_number="1001").user.username == "anst-1001-2"


def test_an_account_is_never_adopted_by_its_username(tree):
    """Usernames are platform-wide, employee numbers are not: `anst-1001` may be someone
    who signed in through another organisation's provider."""
    plain = User.objects.create_user(username="anst-1001", email="old@example.se")

    report = run(GOOD[:1], tree)

    assert report.created == ["1001 Anna Andersson"]
    plain.refresh_from_db()
    assert plain.email == "old@example.se" and not hasattr(plain, "learner_profile")
    anna = LearnerProfile.objects.get(organisation=tree.huddinge, employee_number="1001")
    assert anna.user.username == "anst-1001-2" and anna.user.email == "1001@huddinge.se"


def test_many_taken_usernames_cost_no_statement_per_person(tree, django_assert_max_num_queries):
    for n in range(1001, 1031):
        User.objects.create_user(username=f"anst-{n}")
    User.objects.create_user(username="anst-1001-2")
    rows = [hr_row(str(n), f"P{n}") for n in range(1001, 1031)]

    with django_assert_max_num_queries(40):
        report = run(rows, tree)

    assert len(report.created) == 30
    assert User.objects.get(learner_profile__employee_number="1001").username == "anst-1001-3"
    assert User.objects.get(learner_profile__employee_number="1030").username == "anst-1030-2"


def test_employee_numbers_differing_only_in_case_get_accounts_of_their_own(tree):
    report = run([hr_row("A1", "Ada"), hr_row("a1", "Alva")], tree)

    assert len(report.created) == 2
    assert sorted(
        User.objects.filter(username__startswith="anst-a1").values_list("username", flat=True)
    ) == ["anst-a1", "anst-a1-2"]


# --- Reading files ---------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_with_any_usual_separator_is_read(tree, delimiter):
    rows = [hr_row("1001", title="Handläggare, vuxen")]  # a quoted separator inside
    data, name = hr_export(rows, delimiter=delimiter)

    report = import_staff(data, filename=name, scope=tree.huddinge, dry_run=False)

    assert report.created == ["1001 Anna Andersson"]
    assert LearnerProfile.objects.get().job_title == "Handläggare, vuxen"


def test_a_windows_1252_csv_is_read(tree):
    data, name = hr_export([hr_row("1001", "Åsa", "Öberg-Lindqvist")], encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    report = import_staff(data, filename=name, scope=tree.huddinge, dry_run=False)

    assert report.created == ["1001 Åsa Öberg-Lindqvist"]
    assert LearnerProfile.objects.get().unit == tree.a  # "Socialförvaltningen" matched


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_csv_with_a_byte_order_mark_is_read(tree, encoding):
    data, name = hr_export([hr_row("1001", "Åsa")], encoding=encoding, delimiter="\t")

    headings, rows = read_table(data, name)

    assert headings == HR_HEADINGS
    assert next(rows)[1][1] == "Åsa"


def _zip_that_is_not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hej")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "personal.pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "personal.xls"),
        (b"just some text", "personal.xlsx"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "personal.csv"),
        (_zip_that_is_not_a_workbook(), "personal.xlsx"),
        (_zip_that_is_not_a_workbook(), "personal.csv"),
        (b"", "personal.csv"),
        (b"\x81\x8d\x8f\x90\x9d", "personal.csv"),
    ],
)
def test_a_file_that_is_neither_csv_nor_xlsx_is_invalid_input(tree, data, name):
    with pytest.raises(InvalidInput):
        import_staff(data, filename=name, scope=tree.huddinge)


def test_a_csv_that_breaks_after_many_rows_is_invalid_input_and_saves_nothing(tree):
    data, name = hr_export([hr_row(str(5000 + i)) for i in range(300)])
    data += b'"9999";"' + b"x" * 200_000 + b'"\r\n'  # past the csv module's field limit
    before = snapshot()

    with pytest.raises(InvalidInput, match="after row 301"):
        import_staff(data, filename=name, scope=tree.huddinge, dry_run=False)
    assert snapshot() == before


def test_a_control_character_in_a_cell_is_a_row_error(tree):
    # PostgreSQL refuses NUL in text: it must be a row error, not a failed import. (XLSX
    # cannot hold these characters at all.)
    report = run([hr_row("1001", "An\x00na"), hr_row("1002", title="Chef\x1b")], tree)

    assert [(e.row, e.column) for e in report.errors] == [(2, "Förnamn"), (3, "Befattning")]
    assert "control character" in report.errors[0].message
    assert not LearnerProfile.objects.exists()


def test_an_xlsx_with_real_date_cells_works(tree):
    rows = [
        hr_row("1001", hired=date(2021, 3, 1), left=datetime(2030, 6, 30, 0, 0)),
        hr_row("1002", hired=datetime(2022, 8, 15)),
    ]
    data, name = hr_export(rows, fmt="xlsx")

    report = import_staff(data, filename=name, scope=tree.huddinge, dry_run=False)

    assert report.errors == []
    first = LearnerProfile.objects.get(employee_number="1001")
    assert (first.hire_date, first.leave_date) == (date(2021, 3, 1), date(2030, 6, 30))
    assert LearnerProfile.objects.get(employee_number="1002").hire_date == date(2022, 8, 15)


def test_numeric_xlsx_cells_are_read_as_text(tree):
    data, name = hr_export(
        [[1001, "Anna", "Andersson", "", ENHET_A, "", 1, "", "", ""]], fmt="xlsx"
    )

    report = import_staff(data, filename=name, scope=tree.huddinge, dry_run=False)

    assert report.created == ["1001 Anna Andersson"]
    assert LearnerProfile.objects.get().is_manager


# --- Assignments and atomicity -----------------------------------------------------------


@pytest.fixture
def assignment(tree):
    return Assignment.objects.create(
        course=CoursePageFactory(),
        unit=tree.soc,
        due_mode=Assignment.DueMode.AFTER_HIRE,
        due_days=30,
    )


def _due(user_number: str):
    return Enrolment.objects.get(user__learner_profile__employee_number=user_number).due_at


def test_new_people_in_an_assignment_unit_are_enrolled_with_their_own_due_date(tree, assignment):
    rows = [
        hr_row("1001", hired="2026-02-01"),  # hired after the import: due 30 days after
        hr_row("1002", hired="2020-01-15"),  # hired long ago: due 30 days after today
        hr_row("1004", unit=ENHET_B, kind="extern"),
        hr_row("1005", left="2025-12-31"),  # already left
    ]

    run(rows, tree, dry_run=True)
    assert not Enrolment.objects.exists()
    run(rows, tree)

    assert _due("1001") == datetime(2026, 3, 3, 23, 59, tzinfo=STOCKHOLM)
    assert _due("1002") == datetime(2026, 2, 9, 23, 59, tzinfo=STOCKHOLM)
    enrolment = Enrolment.objects.get(user__learner_profile__employee_number="1001")
    assert enrolment.assignment == assignment
    assert enrolment.source == Enrolment.Source.ASSIGNMENT
    assert set(
        Enrolment.objects.values_list("user__learner_profile__employee_number", flat=True)
    ) == {"1001", "1002"}
    run(rows, tree)
    assert Enrolment.objects.count() == 2


def test_someone_who_moves_into_an_assignment_unit_is_enrolled(tree, assignment):
    user = employee(unit_at("Huddinge/Kultur"), "1001", first_name="Anna", last_name="Andersson")
    assert not Enrolment.objects.filter(user=user).exists()

    report = run(GOOD[:1], tree)

    assert "unit" in report.changes[0]
    assert Enrolment.objects.filter(user=user, assignment=assignment).exists()


def test_a_failure_while_writing_leaves_everything_as_it_was(tree, assignment, monkeypatch):
    employee(tree.a, "3001")
    before = snapshot()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away (simulated)")

    monkeypatch.setattr(people, "announce_people_changed", broken)
    with pytest.raises(RuntimeError):
        run(EXPORT_ROWS, tree, full=True, create_units=True)

    assert snapshot() == before


# --- The management command ----------------------------------------------------------------


def _write(tmp_path: Path, rows, **kwargs) -> str:
    data, name = hr_export(rows, **kwargs)
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_the_command_prints_the_report_and_exits_1_on_row_errors(tree, tmp_path, capsys):
    path = _write(tmp_path, EXPORT_ROWS)

    with pytest.raises(SystemExit) as exit_:
        call_command("import_staff", path, "--organisation", "Huddinge")

    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "created: 5" in out
    assert "rows with errors (not imported): 19" in out
    assert "blank rows skipped: 1" in out
    row = BAD_ROW_NUMBERS["bad email"][0]
    assert f'row {row}, column "E-post": "inte-en-adress" is not an email address.' in out
    assert LearnerProfile.objects.count() == 5


def test_the_command_exits_0_without_errors_and_dry_run_saves_nothing(tree, tmp_path, capsys):
    path = _write(tmp_path, GOOD, fmt="xlsx")

    call_command("import_staff", path, "--organisation", "Huddinge", "--dry-run", "--full")

    out = capsys.readouterr().out
    assert "Dry run: nothing was saved." in out
    assert "created: 5" in out
    assert not LearnerProfile.objects.exists()

    call_command("import_staff", path, "--organisation", "Huddinge", "--full")
    assert LearnerProfile.objects.count() == 5
    call_command("import_staff", path, "--organisation", "Huddinge", "--full")
    assert "unchanged: 5" in capsys.readouterr().out


def test_the_command_creates_units_and_maps_columns(tree, tmp_path):
    headings = ["Nr", *HR_HEADINGS[1:]]
    path = _write(tmp_path, [hr_row("1001", unit=f"{ENHET_A}/Ny")], headings=headings)

    call_command(
        "import_staff",
        path,
        "--organisation",
        "Huddinge/Socialförvaltningen",
        "--create-units",
        "--map",
        "employee_number=Nr",
    )

    assert LearnerProfile.objects.get().unit == find_unit(f"{ENHET_A}/Ny")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv", "--organisation", "Huddinge"], "Cannot read"),
        (["{good}", "--organisation", "Vaxholm"], 'No organisation "Vaxholm"'),
        (["{pdf}", "--organisation", "Huddinge"], "Upload a .csv or .xlsx file"),
        (["{good}", "--organisation", "Huddinge", "--map", "skostorlek=Nr"], "--map takes"),
        (["{good}", "--organisation", "Huddinge", "--map", "unit=Saknas"], '"Saknas"'),
    ],
)
def test_the_command_refuses_bad_input_with_a_clean_message(tree, tmp_path, args, message):
    good = _write(tmp_path, GOOD)
    pdf = tmp_path / "personal.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    args = [a.format(good=good, pdf=pdf) for a in args]
    if args[0] == "missing.csv":
        args[0] = str(tmp_path / "missing.csv")

    with pytest.raises(CommandError, match=message):
        call_command("import_staff", *args)
    assert not LearnerProfile.objects.exists()
