"""One person, one organisation (decision 0032): a provider finds, links and creates people
only in the organisation it serves; an employee number names a person within one
organisation; someone who signs in before the staff import gets a place at once, and the
import finds them there.

Most tests call the provisioning service with what a provider vouched for (the protocol
checks have their own tests); a few go through the whole OIDC or SAML flow to see what
the person sees."""

import hashlib
import logging
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from tests.factories import (
    CoursePageFactory,
    SuperuserFactory,
    UserFactory,
    assign_course,
    employee,
    hr_export,
    hr_row,
    staff_importer,
    staff_member,
)
from wagtail_learning.identity.errors import SignInRefused
from wagtail_learning.identity.models import IdentityConflict, IdentityProvider, ProviderIdentity
from wagtail_learning.identity.provisioning import (
    VerifiedIdentity,
    identity_from_claims,
    sign_in_user,
)
from wagtail_learning.lms.models import Enrolment
from wagtail_learning.org.api import LearnerProfile, Membership, Organisation, import_staff

from .conftest import sign_in
from .test_saml import ATTRIBUTES, saml_sign_in

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def skola(botkyrka):
    return botkyrka.add_child(name="Skola 1")


@pytest.fixture
def huddinge_idp(huddinge):
    """Huddinge's provider, for the service-level tests (no server behind it)."""
    return IdentityProvider.objects.create(
        organisation=huddinge,
        slug="huddinge-direct",
        protocol="oidc",
        domains="huddinge.se",
        oidc_discovery_url="https://login.huddinge.example/",
        oidc_client_id="lms",
        claim_unit="department",
    )


def arrive(provider, subject, **claims):
    return sign_in_user(provider, VerifiedIdentity(subject=subject, **claims))


def import_into(scope, rows, *, user=None):
    data, name = hr_export(rows)
    report = import_staff(
        data, filename=name, scope=scope, user=user, dry_run=False, today=date(2026, 1, 10)
    )
    assert not report.errors, report.errors
    return report


# --- An employee number names a person within one organisation -----------------------------


def test_the_providers_organisations_number_links_when_another_has_the_same(
    huddinge_idp, forskolan, skola
):
    theirs = staff_member(skola, employee_number="1001", first_name="Bea")
    ours = staff_member(forskolan, employee_number="1001", first_name="Anna")

    user = arrive(huddinge_idp, "anna-sub", employee_number="1001")

    assert user == ours != theirs
    assert ProviderIdentity.objects.get(provider=huddinge_idp).user == ours


def test_a_new_hire_of_one_organisation_is_not_taken_over_by_anothers_import(
    huddinge_idp, botkyrka, skola
):
    """Huddinge's new hire 1001 signs in (account anst-1001); Botkyrka then imports its own
    1001. Before, the import adopted anst-1001: Huddinge's identity in Botkyrka's account."""
    newcomer = arrive(huddinge_idp, "hud-1001", employee_number="1001", given_name="Hanna")

    import_into(botkyrka, [hr_row("1001", "Bea", "Botkyrka", unit="Botkyrka kommun/Skola 1")])

    newcomer.refresh_from_db()
    assert (newcomer.username, newcomer.first_name) == ("anst-1001", "Hanna")
    assert newcomer.learner_profile.organisation == huddinge_idp.organisation
    bea = LearnerProfile.objects.get(organisation=botkyrka, employee_number="1001")
    assert bea.user != newcomer and bea.unit == skola
    assert ProviderIdentity.objects.get(subject="hud-1001").user == newcomer
    assert arrive(huddinge_idp, "hud-1001") == newcomer


# --- Linking by email only inside the provider's organisation ------------------------------


def test_an_email_of_another_organisations_account_is_a_conflict_not_a_link(huddinge_idp, skola):
    moved = employee(skola, "77", first_name="Eva", email="eva@huddinge.se")

    for _attempt in range(2):
        with pytest.raises(SignInRefused) as refused:
            arrive(huddinge_idp, "eva-sub", email="eva@huddinge.se")
        assert refused.value.status == 409
        with translation.override("en"):
            assert "another organisation" in str(refused.value.message)

    assert not ProviderIdentity.objects.exists()
    assert User.objects.count() == 1
    conflict = IdentityConflict.objects.get()
    assert (conflict.provider, conflict.account, conflict.email, conflict.attempts) == (
        huddinge_idp,
        moved,
        "eva@huddinge.se",
        2,
    )
    assert conflict.account_organisations == "Botkyrka kommun"


def test_an_account_linked_to_another_organisations_provider_is_a_conflict(huddinge_idp, botkyrka):
    botkyrka_idp = IdentityProvider.objects.create(
        organisation=botkyrka,
        slug="botkyrka",
        protocol="oidc",
        domains="botkyrka.se",
        oidc_discovery_url="https://login.botkyrka.example/",
        oidc_client_id="lms",
    )
    person = arrive(botkyrka_idp, "b-1", email="dual@botkyrka.se")
    person.email = "dual@huddinge.se"
    person.save()
    LearnerProfile.objects.filter(user=person).delete()
    Membership.objects.filter(user=person).delete()

    with pytest.raises(SignInRefused):
        arrive(huddinge_idp, "h-1", email="dual@huddinge.se")
    assert IdentityConflict.objects.get().account == person


def test_an_email_of_an_account_of_no_organisation_still_links(huddinge_idp):
    eva = UserFactory(username="eva", email="Eva@Huddinge.se")
    assert arrive(huddinge_idp, "x-2", email="eva@huddinge.se") == eva
    assert LearnerProfile.objects.get(user=eva).organisation == huddinge_idp.organisation


def test_the_person_sees_a_clear_refusal_page(client, provider, op, botkyrka):
    other = botkyrka.add_child(name="Skola 2")
    employee(other, "88", email="olle@huddinge.se")
    op.user_claims = {"sub": "olle", "email": "olle@huddinge.se"}

    with translation.override("sv"):
        response = sign_in(client, provider)

    assert response.status_code == 409
    assert "annan organisation" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_superusers_see_the_conflicts_with_what_to_do_and_nobody_else(
    client, huddinge_idp, skola, huddinge
):
    employee(skola, "77", email="eva@huddinge.se")
    with pytest.raises(SignInRefused):
        arrive(huddinge_idp, "eva-sub", email="eva@huddinge.se")

    client.force_login(SuperuserFactory())
    page = client.get("/admin/identity_conflicts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "eva@huddinge.se" in html and "Botkyrka kommun" in html
    assert "Vad du gör" in html or "What to do" in html
    conflict = IdentityConflict.objects.get()
    assert client.get(f"/admin/identity_conflicts/inspect/{conflict.pk}/").status_code == 200
    assert client.get("/admin/identity_conflicts/new/").status_code in (302, 403)
    assert client.get(f"/admin/identity_conflicts/edit/{conflict.pk}/").status_code in (302, 403)
    assert client.post(f"/admin/identity_conflicts/delete/{conflict.pk}/").status_code == 302
    assert not IdentityConflict.objects.exists()

    client.force_login(staff_importer(huddinge))
    assert client.get("/admin/identity_conflicts/").status_code in (302, 403)


# --- A new hire who signs in before the import gets a place ---------------------------------


def test_a_new_hire_is_placed_in_the_unit_the_claim_names_by_code(huddinge_idp, huddinge):
    soc = huddinge.add_child(name="Socialförvaltningen")
    soc.code = "SOC-1"
    soc.save()

    user = arrive(huddinge_idp, "n-1", employee_number="3001", unit="SOC-1")

    profile = LearnerProfile.objects.get(user=user)
    assert (profile.unit, profile.organisation, profile.employee_number) == (
        soc,
        huddinge,
        "3001",
    )
    assert list(Membership.objects.filter(user=user).values_list("unit", flat=True)) == [soc.pk]


@pytest.mark.parametrize(
    "claim", ["Socialförvaltningen/Enhet X", "Huddinge kommun/Socialförvaltningen/Enhet X"]
)
def test_a_new_hire_is_placed_in_the_unit_the_claim_names_by_path(huddinge_idp, huddinge, claim):
    enhet = huddinge.add_child(name="Socialförvaltningen").add_child(name="Enhet X")

    user = arrive(huddinge_idp, "n-2", unit=claim)

    assert LearnerProfile.objects.get(user=user).unit == enhet


def test_a_unit_of_another_organisation_is_never_taken_from_a_claim(huddinge_idp, skola):
    skola.code = "SK1"
    skola.save()

    for subject, claim in (("n-3", "SK1"), ("n-4", "Botkyrka kommun/Skola 1")):
        profile = LearnerProfile.objects.get(user=arrive(huddinge_idp, subject, unit=claim))
        assert profile.unit.is_unplaced and profile.organisation == huddinge_idp.organisation


def test_without_a_unit_the_new_hire_waits_in_the_organisations_not_yet_placed_unit(
    huddinge_idp, huddinge
):
    first = arrive(huddinge_idp, "n-5", employee_number="3005")
    second = arrive(huddinge_idp, "n-6", unit="Ingen sådan enhet")

    units = {LearnerProfile.objects.get(user=u).unit for u in (first, second)}
    assert len(units) == 1
    (waiting,) = units
    assert (waiting.name, waiting.get_parent(), waiting.is_unplaced) == (
        "Ej placerade",
        huddinge,
        True,
    )


def test_an_assignment_to_the_whole_organisation_covers_the_new_hire_at_once(
    huddinge_idp, huddinge, forskolan
):
    course = CoursePageFactory()
    assign_course(course, huddinge)

    newcomer = arrive(huddinge_idp, "n-7", employee_number="3007")

    assert Enrolment.objects.filter(user=newcomer, course=course).exists()


def test_the_next_import_moves_the_new_hire_to_their_unit(huddinge_idp, huddinge, forskolan):
    """Sign-in first, import after: one account, the same provider identity, moved from
    the waiting unit to the unit the HR file names, by an HR user of the organisation."""
    newcomer = arrive(huddinge_idp, "n-8", employee_number="3008", given_name="Nils")
    hr = staff_importer(huddinge, username="hr-huddinge")

    report = import_into(
        huddinge,
        [hr_row("3008", "Nils", "Nyman", unit="Huddinge kommun/Förskolan Snättringe")],
        user=hr,
    )

    assert report.updated == ["3008 Nils Nyman"] and not report.created
    assert User.objects.filter(learner_profile__employee_number="3008").get() == newcomer
    profile = LearnerProfile.objects.get(user=newcomer)
    assert profile.unit == forskolan
    assert list(Membership.objects.filter(user=newcomer).values_list("unit", flat=True)) == [
        forskolan.pk
    ]
    assert ProviderIdentity.objects.get(provider=huddinge_idp).user == newcomer
    assert arrive(huddinge_idp, "n-8") == newcomer


def test_a_new_hire_through_saml_is_placed_by_the_unit_attribute(
    client, saml_provider, idp, huddinge
):
    enhet = huddinge.add_child(name="Enhet S")
    saml_provider.attr_unit = "department"
    saml_provider.save()

    attributes = {**ATTRIBUTES, "employeeNumber": ["4001"], "department": ["Enhet S"]}
    saml_sign_in(client, saml_provider, idp, attributes=attributes)

    user = User.objects.get(pk=client.session["_auth_user_id"])
    profile = LearnerProfile.objects.get(user=user)
    assert (profile.unit, profile.employee_number) == (enhet, "4001")


def test_the_unit_claim_is_read_only_when_configured(huddinge_idp):
    claims = {"sub": "s", "department": "SOC-1"}
    assert identity_from_claims(huddinge_idp, claims).unit == "SOC-1"
    huddinge_idp.claim_unit = ""
    assert identity_from_claims(huddinge_idp, claims).unit == ""


# --- The takeover guard -----------------------------------------------------------------------


def test_a_new_subject_for_an_account_linked_before_is_refused(huddinge_idp, imported):
    assert arrive(huddinge_idp, "first-subject", employee_number="1001") == imported

    with pytest.raises(SignInRefused) as refused:
        arrive(huddinge_idp, "second-subject", employee_number="1001")

    assert refused.value.status == 409
    assert "already linked" in refused.value.reason
    assert list(ProviderIdentity.objects.values_list("subject", "user")) == [
        ("first-subject", imported.pk)
    ]


# --- What the provider's claims say, as the service reads them ---------------------------


def test_claims_given_as_lists_numbers_or_missing_are_read_as_text(huddinge_idp):
    identity = identity_from_claims(
        huddinge_idp, {"sub": [" s-1 ", "s-2"], "employee_number": 1001, "email": None}
    )
    assert (identity.subject, identity.employee_number, identity.email) == ("s-1", "1001", "")
    with pytest.raises(SignInRefused):
        identity_from_claims(huddinge_idp, {"sub": []})


def test_an_empty_subject_claim_setting_means_sub(huddinge_idp):
    huddinge_idp.claim_subject = ""
    assert identity_from_claims(huddinge_idp, {"sub": "s-9"}).subject == "s-9"


def test_new_usernames_and_long_claims(huddinge_idp):
    User.objects.create(username="anst-3001")
    User.objects.create(username="anst-3001-2")
    long_number = "9" * 100

    numbered = arrive(huddinge_idp, "s-1", employee_number="3001", given_name="G" * 200)
    unnumbered = arrive(huddinge_idp, "s-2", family_name="F" * 200)
    very_long = arrive(huddinge_idp, "s-3", employee_number=long_number)

    assert numbered.username == "anst-3001-3"
    assert (len(numbered.first_name), len(unnumbered.last_name)) == (150, 150)
    digest = hashlib.sha256(f"{huddinge_idp.pk}:s-2".encode()).hexdigest()[:12]
    assert unnumbered.username == f"huddinge-direct-{digest}"
    assert very_long.learner_profile.employee_number == long_number[:64]
    link = ProviderIdentity.objects.get(subject="s-1")
    assert link.last_login_at is not None


def test_refusals_are_logged_for_the_administrator(huddinge_idp, skola, imported, caplog):
    employee(skola, "77", email="eva@huddinge.se")
    boss = UserFactory(username="boss", email="boss@huddinge.se", is_staff=True)
    arrive(huddinge_idp, "anna-1", employee_number="1001")

    with caplog.at_level(logging.WARNING, logger="wagtail_learning.identity.provisioning"):
        for subject, claims in (
            ("eva", {"email": "eva@huddinge.se"}),
            ("boss", {"email": "boss@huddinge.se"}),
            ("anna-2", {"employee_number": "1001"}),
        ):
            with pytest.raises(SignInRefused):
                arrive(huddinge_idp, subject, **claims)

    logged = [
        r.getMessage() for r in caplog.records if r.name == "wagtail_learning.identity.provisioning"
    ]
    assert any("by email" in m and "organisations" in m for m in logged)
    assert any(f"privileged account {boss.pk}" in m for m in logged)
    assert any("new subject" in m and str(imported.pk) in m for m in logged)


def test_a_conflict_records_what_it_can_hold(huddinge_idp, botkyrka):
    person = UserFactory(username="many", email="many@huddinge.se")
    for n in range(3):
        unit = Organisation.add_root(name=f"{n} " + "Förbundet " * 19)
        Membership.objects.create(user=person, unit=unit)

    with pytest.raises(SignInRefused):
        arrive(huddinge_idp, "m-1", email="many@huddinge.se", employee_number="7" * 100)

    conflict = IdentityConflict.objects.get()
    assert (len(conflict.employee_number), len(conflict.account_organisations)) == (64, 500)


def test_a_profile_of_another_organisation_without_units_is_still_theirs(huddinge_idp, botkyrka):
    person = UserFactory(username="elsewhere", email="else@huddinge.se")
    LearnerProfile.objects.create(user=person, unit=None, employee_number="5")
    LearnerProfile.objects.filter(user=person).update(organisation=botkyrka)

    with pytest.raises(SignInRefused):
        arrive(huddinge_idp, "e-1", email="else@huddinge.se")
    assert IdentityConflict.objects.get().account == person


def test_the_not_yet_placed_unit_is_marked(huddinge):
    from wagtail_learning.org.api import unplaced_unit

    unit = unplaced_unit(huddinge)
    assert unit.is_unplaced and unplaced_unit(huddinge) == unit
