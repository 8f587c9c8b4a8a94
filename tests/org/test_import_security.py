"""What a staff import may never do: rename accounts with admin rights (an HR user could
set the admin's email and take the account over with a password reset), rename people
also placed outside the organisation it covers, or claim someone who is in no unit."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from wagtail.models import GroupPagePermission, Page

from tests.factories import (
    SuperuserFactory,
    UserFactory,
    employee,
    hr_export,
    hr_row,
    staff_importer,
    unit_at,
)
from wagtail_learning.org.api import OutOfScope, find_unit, import_staff
from wagtail_learning.org.models import LearnerProfile, Membership, Organisation

pytestmark = pytest.mark.django_db

User = get_user_model()
TODAY = date(2026, 1, 10)
ENHET_A = "Huddinge/Socialförvaltningen/Enhet A"
ENHET_B = "Huddinge/Socialförvaltningen/Enhet B"
SKOLA = "Botkyrka/Utbildning/Skola 1"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def tree():
    for path in (ENHET_A, ENHET_B, SKOLA):
        unit_at(path)
    return SimpleNamespace(
        huddinge=find_unit("Huddinge"),
        a=find_unit(ENHET_A),
        b=find_unit(ENHET_B),
        botkyrka=find_unit("Botkyrka"),
        skola=find_unit(SKOLA),
    )


def run(rows, *, scope, user=None, dry_run=False):
    data, name = hr_export(rows)
    return import_staff(data, filename=name, scope=scope, user=user, dry_run=dry_run, today=TODAY)


def identity(user) -> tuple:
    user.refresh_from_db()
    profile = LearnerProfile.objects.get(user=user)
    return (
        user.username,
        user.password,
        user.first_name,
        user.last_name,
        user.email,
        profile.unit_id,
        sorted(Membership.objects.filter(user=user).values_list("unit_id", flat=True)),
    )


def takeover_row(number: str, unit: str = ENHET_A) -> list:
    """The row an HR user would upload to take the account over."""
    return hr_row(number, "Kapad", "Konto", email="hr-attacker@example.org", unit=unit)


def superuser_in(unit, number: str):
    user = SuperuserFactory(username="it-admin", email="admin@huddinge.se")
    user.set_password("hemligt")
    user.save()
    LearnerProfile.objects.create(user=user, unit=unit, employee_number=number)
    Membership.objects.create(user=user, unit=unit)
    return user


def hr_colleague_in(unit, number: str):
    """An HR user whose admin access comes through a group (no permission of their own)."""
    user = staff_importer(unit, via_group=True, username="hr-kollega", email="hr@huddinge.se")
    LearnerProfile.objects.create(user=user, unit=unit, employee_number=number)
    Membership.objects.create(user=user, unit=unit)
    return user


def editor_in(unit, number: str):
    """An editor: page permissions through a group, and a model permission of their own."""
    user = UserFactory(username="redaktor", email="redaktor@huddinge.se")
    group = Group.objects.create(name="Redaktörer")
    GroupPagePermission.objects.create(
        group=group,
        page=Page.get_first_root_node(),
        permission=Permission.objects.get(codename="change_page"),
    )
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="add_image"))
    LearnerProfile.objects.create(user=user, unit=unit, employee_number=number)
    Membership.objects.create(user=user, unit=unit)
    return user


PRIVILEGED = {
    "superuser": superuser_in,
    "HR user with admin access through a group": hr_colleague_in,
    "editor": editor_in,
}


@pytest.mark.parametrize("kind", list(PRIVILEGED))
@pytest.mark.parametrize("importer", ["hr", "superuser", "command"])
def test_an_account_with_admin_rights_is_never_renamed(tree, kind, importer):
    target = PRIVILEGED[kind](tree.a, "9001")
    before = identity(target)
    user = {
        "hr": staff_importer(tree.huddinge, username="hr-huddinge"),
        "superuser": SuperuserFactory(),
        "command": None,
    }[importer]

    dry = run([takeover_row("9001")], scope=tree.huddinge, user=user, dry_run=True)
    report = run([takeover_row("9001")], scope=tree.huddinge, user=user)

    for result in (dry, report):
        assert [(e.row, e.column) for e in result.errors] == [(2, "Anställningsnummer")]
        assert "administration rights" in result.errors[0].message
        assert not result.updated
    assert identity(target) == before


def test_a_privileged_account_may_still_get_profile_changes_that_leave_its_name_alone(tree):
    target = superuser_in(tree.a, "9001")
    row = hr_row("9001", target.first_name, target.last_name, email=target.email, unit=ENHET_B)

    report = run([row], scope=tree.huddinge, user=staff_importer(tree.huddinge))

    assert not report.errors
    assert LearnerProfile.objects.get(user=target).unit == tree.b
    target.refresh_from_db()
    assert target.email == "admin@huddinge.se" and target.is_superuser


def test_an_admin_without_a_profile_is_not_adopted_by_its_username(tree):
    hr_account = staff_importer(tree.huddinge, username="anst-9002", email="hr2@huddinge.se")
    password = hr_account.password

    run([takeover_row("9002")], scope=tree.huddinge, user=staff_importer(tree.huddinge))

    hr_account.refresh_from_db()
    assert (hr_account.email, hr_account.first_name, hr_account.password) == (
        "hr2@huddinge.se",
        "Lena",
        password,
    )
    assert not LearnerProfile.objects.filter(user=hr_account).exists()
    assert LearnerProfile.objects.get(employee_number="9002").user.username == "anst-9002-2"


def test_a_person_of_another_organisation_is_neither_touched_nor_mentioned(tree):
    outsider = employee(tree.skola, "4001", first_name="Bo", last_name="Botkyrka")
    before = identity(outsider)

    report = run(
        [takeover_row("4001")],
        scope=tree.huddinge,
        user=staff_importer(tree.huddinge, username="hr-huddinge"),
    )

    # Huddinge's 4001 is a person of Huddinge's own; Botkyrka's is not found, so not named.
    assert not report.errors and report.created == ["4001 Kapad Konto"]
    assert identity(outsider) == before


def test_a_person_outside_the_importers_part_of_the_organisation_is_not_touched(tree):
    inside = employee(tree.b, "4003", first_name="Bo", last_name="Berg")
    before = identity(inside)

    report = run(
        [takeover_row("4003")],
        scope=tree.a,
        user=staff_importer(tree.a, username="hr-enhet-a"),
    )

    assert [e.message for e in report.errors] == [
        "Employee number 4003 belongs to someone outside Huddinge/Socialförvaltningen/Enhet A."
    ]
    assert identity(inside) == before


def test_someone_also_placed_outside_the_scope_is_not_renamed(tree):
    shared = employee(tree.a, "4002", first_name="Delad", last_name="Person")
    Membership.objects.create(user=shared, unit=tree.skola)
    before = identity(shared)

    report = run(
        [takeover_row("4002")],
        scope=tree.huddinge,
        user=staff_importer(tree.huddinge, username="hr-huddinge"),
    )

    assert len(report.errors) == 1
    assert "also placed outside Huddinge" in report.errors[0].message
    assert identity(shared) == before


def test_an_importer_cannot_name_an_organisation_outside_their_scope(tree):
    hr = staff_importer(tree.huddinge, username="hr-huddinge")
    data, name = hr_export([hr_row("1001", unit=SKOLA)])

    with pytest.raises(OutOfScope):
        import_staff(data, filename=name, scope=tree.botkyrka, user=hr, dry_run=False)
    with pytest.raises(OutOfScope):
        import_staff(data, filename=name, scope=None, user=hr, dry_run=False)
    assert not LearnerProfile.objects.exists()


# --- Someone in no unit ----------------------------------------------------------------------


@pytest.fixture
def unplaced(tree):
    """Someone whose unit was deleted: no unit, no membership."""
    person = employee(tree.a, "5001", first_name="Utan", last_name="Enhet")
    doomed = unit_at("Huddinge/Nedlagd")
    profile = LearnerProfile.objects.get(user=person)
    profile.unit = doomed
    profile.save()
    Membership.objects.filter(user=person).delete()
    Organisation.objects.get(pk=doomed.pk).delete()
    profile.refresh_from_db()
    assert profile.unit is None and not Membership.objects.filter(user=person).exists()
    return person


def test_hr_cannot_claim_someone_in_no_unit(tree, unplaced):
    hr = staff_importer(tree.huddinge, username="hr-huddinge")
    before = identity(unplaced)

    report = run([hr_row("5001", "Utan", "Enhet", unit=ENHET_A)], scope=tree.huddinge, user=hr)

    assert [(e.row, e.column) for e in report.errors] == [(2, "Anställningsnummer")]
    assert "in no unit" in report.errors[0].message
    assert identity(unplaced) == before
    assert not report.updated


def test_another_municipalitys_hr_never_finds_someone_in_no_unit(tree, unplaced):
    hr = staff_importer(tree.botkyrka, username="hr-botkyrka")
    before = identity(unplaced)

    report = run([hr_row("5001", "Utan", "Enhet", unit=SKOLA)], scope=tree.botkyrka, user=hr)

    assert not report.errors and report.created == ["5001 Utan Enhet"]
    assert identity(unplaced) == before
    assert LearnerProfile.objects.get(user=unplaced).organisation == tree.huddinge


def test_a_superuser_places_someone_in_no_unit(tree, unplaced):
    report = run(
        [hr_row("5001", "Utan", "Enhet", unit=ENHET_B)],
        scope=tree.huddinge,
        user=SuperuserFactory(),
    )

    assert not report.errors
    profile = LearnerProfile.objects.get(user=unplaced)
    assert profile.unit == tree.b
    assert list(Membership.objects.filter(user=unplaced).values_list("unit_id", flat=True)) == [
        tree.b.pk
    ]
