"""Who gets through the wall (org.wall), role by role: a Wagtail permission opens only the
instances in the holder's reporting scope, and a scope opens nothing a permission does not
(both are needed); a deactivated HR user and an anonymous visitor get nothing; a
superuser gets everything; a scope given through a group works as one given to the user;
a scope on a unit covers the units below it.

Two municipalities with a namesake each (Kim Lind in both, on purpose, as in the demo): the
checks tell them apart by what identifies them (certificate code, employee number, user
pk in links), never by their name."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import models
from django.http import Http404
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.views.generic import InspectView
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry
from wagtail.permissions import policy_registry

from tests.factories import (
    CertificateDesignFactory,
    CertificateFactory,
    CoursePageFactory,
    SuperuserFactory,
    UserFactory,
    assign_course,
    in_english,
    org_unit,
    staff_member,
)
from wagtail_learning.certificates.models import Certificate
from wagtail_learning.certificates.services import revoke_certificate
from wagtail_learning.compliance.models import Assignment
from wagtail_learning.org import wall
from wagtail_learning.org.api import (
    WalledPermissionPolicy,
    can_access_instance,
    can_access_person,
    is_walled,
    register_person_model,
    register_unit_model,
    scope_log_entries,
    scope_queryset,
    walled_models,
)
from wagtail_learning.org.models import LearnerProfile, Organisation, ReportingScope

pytestmark = pytest.mark.django_db

CERTIFICATE_PERMISSIONS = ("view_certificate", "change_certificate")


def permissions(*codenames, app_label="certificates"):
    return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)


def admin_user(username: str, *, codenames=CERTIFICATE_PERMISSIONS, scope=(), via_group=True):
    """A user of the admin with the certificate permissions (`codenames`) and a reporting
    scope on the units in `scope`, both given through a group of their own (or to the user
    with via_group=False)."""
    user = UserFactory(username=username, first_name="Hanna", last_name=f"HR {username}")
    granted = [
        *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"),
        *permissions(*codenames),
    ]
    if via_group:
        group = Group.objects.create(name=f"Grupp {username}")
        group.permissions.add(*granted)
        user.groups.add(group)
        for unit in scope:
            ReportingScope.objects.create(group=group, unit=unit)
    else:
        user.user_permissions.add(*granted)
        for unit in scope:
            ReportingScope.objects.create(user=user, unit=unit)
    return user


def ready_pdf(certificate) -> Certificate:
    certificate.status = Certificate.Status.READY
    certificate.rendered_at = timezone.now()
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return certificate


@pytest.fixture
def w(db):
    """Kommun A with Enhet A1 below it, Kommun B; Kim Lind in A1 and Kim Lind in B (told
    apart by username and employee number); a ready certificate each; and the roles."""
    kommun_a, kommun_b = org_unit("Kommun A"), org_unit("Kommun B")
    a1 = org_unit("Enhet A1", kommun_a)
    kim_a = staff_member(
        a1, username="kim-a", first_name="Kim", last_name="Lind", employee_number="A-1001"
    )
    kim_b = staff_member(
        kommun_b, username="kim-b", first_name="Kim", last_name="Lind", employee_number="B-1001"
    )
    design = CertificateDesignFactory(revision=True)
    course = CoursePageFactory(certificate_design=design)
    certificates = {
        user: ready_pdf(CertificateFactory(user=user, design=design, page_id=course.pk))
        for user in (kim_a, kim_b)
    }
    return SimpleNamespace(
        kommun_a=kommun_a, kommun_b=kommun_b, a1=a1, kim_a=kim_a, kim_b=kim_b,
        course=course, cert_a=certificates[kim_a], cert_b=certificates[kim_b],
        # The permissions and a scope over A (through a group), over B (on the user).
        hr_a=admin_user("hr-a", scope=[kommun_a]),
        hr_b=admin_user("hr-b", scope=[kommun_b], via_group=False),
        # The permissions, no scope; a scope over A, no permission on certificates.
        perm_only=admin_user("perm-only"),
        scope_only=admin_user("scope-only", codenames=(), scope=[kommun_a]),
        # A scope over A1 only: the unit below Kommun A.
        hr_a1=admin_user("hr-a1", scope=[a1]),
        superuser=SuperuserFactory(),
    )  # fmt: skip


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return in_english(client)


def refused(response) -> bool:
    """Not found, forbidden, or Wagtail's "no permission": back to the dashboard."""
    if response.status_code == 302:
        return response["Location"] == reverse("wagtailadmin_home")
    return response.status_code in {403, 404}


def codes(response) -> set[str]:
    """The certificate codes a listing or export shows, of the fixture's certificates."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content).decode()
    else:
        body = response.content.decode()
    return {c.code for c in Certificate.objects.all() if c.code in body}


# --- Permission and scope: both are needed ---------------------------------------------------


def test_a_certificate_opens_to_the_permission_and_the_scope_together_never_to_one_alone(w):
    inspect_a = reverse("certificates_certificate:inspect", args=[w.cert_a.pk])
    download_a = reverse("certificates:download", args=[w.cert_a.code])

    hr_a = login(w.hr_a)
    assert hr_a.get(inspect_a).status_code == 200
    assert hr_a.get(download_a).status_code == 200
    assert AdminURLFinder(w.hr_a).get_edit_url(w.cert_a) == inspect_a

    # HR of B has the same permissions but no scope over A's Kim Lind; the permission
    # without a scope opens nothing either; the scope without the permission neither.
    for user in (w.hr_b, w.perm_only, w.scope_only):
        client = login(user)
        assert refused(client.get(inspect_a)), user
        assert client.get(download_a).status_code == 404, user
        assert AdminURLFinder(user).get_edit_url(w.cert_a) is None, user

    # B's own Kim Lind, same name, is B's.
    hr_b = login(w.hr_b)
    assert (
        hr_b.get(reverse("certificates_certificate:inspect", args=[w.cert_b.pk])).status_code == 200
    )
    assert hr_b.get(reverse("certificates:download", args=[w.cert_b.code])).status_code == 200


def test_the_policy_answers_for_an_instance_only_with_permission_and_scope(w):
    policy = policy_registry.get_by_type(Certificate)
    assert isinstance(policy, WalledPermissionPolicy)

    for action in ("view", "change"):
        assert policy.user_has_permission_for_instance(w.hr_a, action, w.cert_a) is True
        assert policy.user_has_any_permission_for_instance(w.hr_a, [action], w.cert_a) is True
        for user in (w.hr_b, w.perm_only, w.scope_only):
            assert not policy.user_has_permission_for_instance(user, action, w.cert_a), user
            assert not policy.user_has_any_permission_for_instance(user, [action], w.cert_a)
    assert set(policy.instances_user_has_permission_for(w.hr_a, "change")) == {w.cert_a}
    assert set(policy.instances_user_has_permission_for(w.hr_b, "change")) == {w.cert_b}
    for user in (w.perm_only, w.scope_only):
        assert not policy.instances_user_has_permission_for(user, "change").exists()


def test_revoking_needs_the_permission_and_the_scope(w):
    url = reverse("certificates_certificate:revoke", args=[w.cert_a.pk])

    for user in (w.hr_b, w.perm_only, w.scope_only):
        response = login(user).post(url, {"reason": "Fel person"})
        assert refused(response), user
    w.cert_a.refresh_from_db()
    assert w.cert_a.revoked_at is None

    assert login(w.hr_a).post(url, {"reason": "Fel kurs"}).status_code == 302
    w.cert_a.refresh_from_db()
    assert w.cert_a.revoked_by == w.hr_a


def test_the_listing_and_its_export_hold_each_hrs_own_namesake(w):
    url = reverse("certificates_certificate:index")

    assert codes(login(w.hr_a).get(url)) == {w.cert_a.code}
    assert codes(login(w.hr_b).get(url)) == {w.cert_b.code}
    assert codes(login(w.superuser).get(url)) == {w.cert_a.code, w.cert_b.code}
    assert codes(login(w.perm_only).get(url)) == set()
    # The export has no columns today (the viewset lists none to export), but its rows are
    # the walled listing's: a heading and one row, not the other municipality's too.
    export = login(w.hr_a).get(url + "?export=csv")
    assert b"".join(export.streaming_content).decode().splitlines() == ["", ""]


# --- Users who are not (or no longer) there ---------------------------------------------------


def test_a_deactivated_hr_user_is_refused_everything(w):
    client = login(w.hr_a)  # signed in before being deactivated
    w.hr_a.is_active = False
    w.hr_a.save()
    policy = policy_registry.get_by_type(Certificate)

    response = client.get(reverse("certificates_certificate:inspect", args=[w.cert_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    response = client.get(reverse("certificates:download", args=[w.cert_a.code]))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))

    # The wall itself says no, for callers that hold the user object (a queued export).
    everything = Certificate.objects.all()
    assert not scope_queryset(w.hr_a, everything).exists()
    assert not scope_queryset(w.hr_a, everything, own=True).exists()
    assert can_access_person(w.hr_a, w.kim_a) is False
    assert can_access_instance(w.hr_a, w.cert_a) is False
    assert not scope_queryset(w.hr_a, Organisation.objects.all()).exists()
    assert not policy.user_has_permission_for_instance(w.hr_a, "view", w.cert_a)
    assert not policy.user_has_any_permission_for_instance(w.hr_a, ["change"], w.cert_a)
    assert AdminURLFinder(w.hr_a).get_edit_url(w.cert_a) is None
    # A deactivated superuser too.
    w.superuser.is_active = False
    w.superuser.save()
    assert not scope_queryset(w.superuser, everything).exists()
    assert can_access_person(w.superuser, w.kim_a) is False
    # The scope functions under the wall say the same (reports and exports call them).
    from wagtail_learning.org.scopes import can_see_unit, get_scope_units, is_in_scope

    for user in (w.hr_a, w.superuser):
        assert not get_scope_units(user).exists()
        assert is_in_scope(user, person=w.kim_a) is False
        assert can_see_unit(user, w.a1) is False


def test_a_deactivated_learner_does_not_see_their_own_rows_through_the_wall(w):
    w.kim_a.is_active = False
    w.kim_a.save()

    assert not scope_queryset(w.kim_a, Certificate.objects.all(), own=True).exists()
    assert can_access_person(w.kim_a, w.kim_a, own=True) is False


def test_an_anonymous_visitor_is_sent_to_sign_in_and_the_wall_gives_them_nothing(client, w):
    from django.contrib.auth.models import AnonymousUser

    for url in (
        reverse("certificates_certificate:index"),
        reverse("certificates_certificate:inspect", args=[w.cert_a.pk]),
        reverse("certificates:download", args=[w.cert_a.code]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        sign_in = response["Location"].split("?")[0]
        assert sign_in in {resolve_url(settings.LOGIN_URL), reverse("wagtailadmin_login")}, url

    for user in (AnonymousUser(), None):
        assert scope_queryset(user, Certificate.objects.all()).count() == 0
        assert scope_queryset(user, Certificate.objects.all(), own=True).count() == 0
        assert scope_queryset(user, Organisation.objects.all()).count() == 0
        assert can_access_person(user, w.kim_a) is False
        assert can_access_instance(user, w.cert_a) is False


def test_no_person_is_nobodys_person(w):
    assert can_access_person(w.superuser, None) is False
    assert can_access_person(w.hr_a, None, own=True) is False


# --- Superusers, own rows ---------------------------------------------------------------------


def test_a_superuser_sees_everyone_and_every_unit(w):
    drifter = UserFactory(username="drifter")  # placed in no unit
    assert set(scope_queryset(w.superuser, Certificate.objects.all())) == {w.cert_a, w.cert_b}
    assert scope_queryset(w.superuser, Organisation.objects.all()).count() == 3
    for person in (w.kim_a, w.kim_b, drifter):
        assert can_access_person(w.superuser, person) is True
    assert can_access_instance(w.superuser, w.cert_b) is True
    policy = policy_registry.get_by_type(Certificate)
    assert policy.user_has_permission_for_instance(w.superuser, "change", w.cert_b) is True


def test_own_rows_are_the_persons_own_and_no_one_elses(w):
    everything = Certificate.objects.all()

    assert list(scope_queryset(w.kim_a, everything, own=True)) == [w.cert_a]
    assert not scope_queryset(w.kim_a, everything).exists()
    assert can_access_person(w.kim_a, w.kim_a, own=True) is True
    assert can_access_person(w.kim_a, w.kim_a) is False
    assert can_access_person(w.kim_a, w.kim_b, own=True) is False  # the namesake
    assert can_access_instance(w.kim_a, w.cert_a, own=True) is True
    assert can_access_instance(w.kim_a, w.cert_b, own=True) is False
    # HR who is also a learner: their scope and their own rows.
    own = CertificateFactory(user=w.hr_b)
    assert set(scope_queryset(w.hr_b, everything, own=True)) == {w.cert_b, own}
    assert set(scope_queryset(w.hr_b, everything)) == {w.cert_b}


# --- Group scopes, user scopes, subtrees ------------------------------------------------------


def test_a_scope_through_a_group_and_one_on_the_user_work_alike(w):
    # hr_a's scope comes through its group, hr_b's is on the user.
    assert can_access_person(w.hr_a, w.kim_a) is True
    assert can_access_person(w.hr_a, w.kim_b) is False
    assert can_access_person(w.hr_b, w.kim_b) is True
    assert can_access_person(w.hr_b, w.kim_a) is False
    # A colleague added to hr_a's group gets the same scope, and loses it when removed.
    colleague = UserFactory(username="kollega")
    group = w.hr_a.groups.get()
    colleague.groups.add(group)
    assert list(scope_queryset(colleague, Certificate.objects.all())) == [w.cert_a]
    colleague.groups.remove(group)
    assert not scope_queryset(colleague, Certificate.objects.all()).exists()


def test_a_scope_covers_the_units_below_it_and_not_the_ones_above(w):
    a2 = org_unit("Enhet A2", w.kommun_a)
    lo = staff_member(a2, username="lo-a2", first_name="Lo", last_name="Berg")
    everyone = LearnerProfile.objects.all()

    # Kommun A's scope: A1 and A2 below it.
    assert {p.user for p in scope_queryset(w.hr_a, everyone)} == {w.kim_a, lo}
    assert set(scope_queryset(w.hr_a, Organisation.objects.all())) == {w.kommun_a, w.a1, a2}
    # A1's scope: A1 only, not its parent nor its sibling.
    assert {p.user for p in scope_queryset(w.hr_a1, everyone)} == {w.kim_a}
    assert set(scope_queryset(w.hr_a1, Organisation.objects.all())) == {w.a1}
    assert can_access_person(w.hr_a1, lo) is False
    assert (
        login(w.hr_a1).get(reverse("certificates:download", args=[w.cert_a.code])).status_code
        == 200
    )


def test_unit_admin_opens_units_in_the_scope_and_its_subtree_only(w):
    codenames = ("change_organisation", "view_organisation")
    for user in (w.hr_a, w.hr_b):
        user.user_permissions.add(*permissions(*codenames, app_label="org"))
    hr_a = login(w.hr_a)

    assert hr_a.get(reverse("hr_units:edit", args=[w.a1.pk])).status_code == 200
    assert hr_a.get(reverse("hr_units:edit", args=[w.kommun_a.pk])).status_code == 200
    assert hr_a.get(reverse("hr_units:edit", args=[w.kommun_b.pk])).status_code == 404
    listing = hr_a.get(reverse("hr_units:index")).content.decode()
    edit_b = reverse("hr_units:edit", args=[w.kommun_b.pk])
    assert reverse("hr_units:edit", args=[w.a1.pk]) in listing and edit_b not in listing


# --- Who may act on an instance (Wagtail asks this for notifications) --------------------------


def test_the_users_with_a_permission_for_an_instance_are_those_whose_scope_covers_it(w):
    policy = policy_registry.get_by_type(Certificate)

    users = set(policy.users_with_any_permission_for_instance(["change"], w.cert_a))
    # hr_a (group scope on Kommun A), hr_a1 (scope on A1, where Kim is), the superuser;
    # not HR of B, nor the permission without scope, nor the scope without permission.
    assert users == {w.hr_a, w.hr_a1, w.superuser}
    users = set(policy.users_with_any_permission_for_instance(["change"], w.cert_b))
    assert users == {w.hr_b, w.superuser}  # hr_b's scope is on the user


def test_the_users_with_a_permission_for_a_units_row_are_those_whose_scope_covers_the_unit(w):
    assignment = assign_course(w.course, w.a1)
    policy = policy_registry.get_by_type(Assignment)
    add = permissions("add_assignment", "change_assignment", app_label="compliance")
    for user in (w.hr_a, w.hr_b, w.perm_only, w.hr_a1):
        user.user_permissions.add(*add)

    assert set(policy.users_with_any_permission_for_instance(["change"], assignment)) == {
        w.hr_a, w.hr_a1, w.superuser,
    }  # fmt: skip
    assignment_b = assign_course(w.course, w.kommun_b)
    assert set(policy.users_with_any_permission_for_instance(["change"], assignment_b)) == {
        w.hr_b, w.superuser,
    }  # fmt: skip


# --- Audit entries ----------------------------------------------------------------------------


def test_audit_entries_follow_their_object_and_entries_about_other_things_stay(w):
    design = w.cert_a.design
    log(design, "wagtail.edit", user=w.superuser)  # not walled: seen by all who see entries
    revoke_certificate(w.cert_a, user=w.hr_a, reason="Fel kurs")
    revoke_certificate(w.cert_b, user=w.hr_b, reason="Fel kurs")
    gone = CertificateFactory(user=w.kim_a)
    log(gone, "certificates.revoke", user=w.hr_a, data={"user_id": w.kim_a.pk})
    gone.delete()
    entries = ModelLogEntry.objects.all()

    def seen(user):
        return {(e.content_type.model, e.object_id) for e in scope_log_entries(user, entries)}

    design_entry = ("certificatedesign", str(design.pk))
    assert seen(w.hr_a) == {design_entry, ("certificate", str(w.cert_a.pk))}
    assert seen(w.hr_b) == {design_entry, ("certificate", str(w.cert_b.pk))}
    assert seen(w.perm_only) == {design_entry}
    assert len(seen(w.superuser)) == 4  # the entry whose certificate is gone too
    assert scope_log_entries(w.superuser, entries).count() == entries.count()


# --- Registering a model ----------------------------------------------------------------------


class Notebook(models.Model):
    """A model that carries a person, made here (no table, not an installed app) to be
    registered in a test; its proxy below."""

    owner = models.IntegerField()  # a user's pk (no relation: nothing to add to the user)

    class Meta:
        app_label = "wall_tests"
        managed = False

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class NotebookProxy(Notebook):  # noqa: DJ008 (its parent's)
    class Meta:
        app_label = "wall_tests"
        proxy = True


class UnitNote(models.Model):
    unit = models.IntegerField()

    class Meta:
        app_label = "wall_tests"
        managed = False

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


@pytest.fixture
def registries():
    """The wall's registry and Wagtail's policies as they were, after the test."""
    rules = dict(wall._rules)
    exact = dict(policy_registry.values_by_exact_class)
    by_class = dict(policy_registry.values_by_class)
    fallback = dict(policy_registry.fallback_policies)
    yield
    wall._rules.clear()
    wall._rules.update(rules)
    for store, saved in (
        (policy_registry.values_by_exact_class, exact),
        (policy_registry.values_by_class, by_class),
        (policy_registry.fallback_policies, fallback),
    ):
        store.clear()
        store.update(saved)


def test_registering_a_model_walls_it_and_its_proxies_in_wagtail_too(registries):
    assert not is_walled(Notebook)

    register_person_model(Notebook, person="owner")

    assert is_walled(Notebook) and is_walled(NotebookProxy)
    assert walled_models()[Notebook] == "person"
    policy = policy_registry.get_by_type(Notebook, fallback=False)
    assert isinstance(policy, WalledPermissionPolicy) and policy.model is Notebook
    # A proxy (another admin listing of the same rows) is behind the same wall.
    assert policy_registry.get_by_type(NotebookProxy, fallback=False) is policy
    # Registering again, the same way, changes nothing.
    register_person_model(Notebook, person="owner")
    register_person_model(NotebookProxy, person="owner")
    assert policy_registry.get_by_type(Notebook, fallback=False) is policy
    # Another way is a configuration error, not a second rule.
    with pytest.raises(ImproperlyConfigured):
        register_person_model(Notebook, person="pk")
    with pytest.raises(ImproperlyConfigured):
        register_unit_model(NotebookProxy, unit="owner")


def test_registering_without_a_policy_leaves_wagtail_its_own(registries):
    register_unit_model(UnitNote, unit="unit", policy=False)

    assert walled_models()[UnitNote] == "unit"
    assert policy_registry.get_by_type(UnitNote, fallback=False) is None


def test_scoping_a_model_nobody_registered_is_a_configuration_error_not_an_empty_list(w):
    with pytest.raises(ImproperlyConfigured):
        scope_queryset(w.hr_a, Notebook.objects.all())


# --- Views a viewset adds later ---------------------------------------------------------------


def test_a_view_a_walled_viewset_adds_later_stops_at_the_wall_too(rf, w):
    from wagtail_learning.certificates.wagtail_hooks import CertificateViewSet

    class LaterView(InspectView):  # e.g. a view a later Wagtail adds to every viewset
        pass

    viewset = CertificateViewSet("certificates_certificate", url_prefix="certificates")
    kwargs = viewset.get_inspect_view_kwargs()
    view = viewset.construct_view(LaterView, **kwargs)
    assert viewset.construct_view(LaterView, **kwargs).view_class is view.view_class  # once
    # A view class that already has the wall is used as it is (walling it twice would not
    # even make a class: its bases could not be ordered).
    assert viewset.construct_view(view.view_class, **kwargs).view_class is view.view_class

    def opened(user, certificate):
        request = rf.get("/")
        request.user = user
        instance = view.view_class(**view.view_initkwargs)
        instance.setup(request, pk=certificate.pk)
        return instance.object

    assert opened(w.hr_a, w.cert_a) == w.cert_a
    with pytest.raises(Http404):
        opened(w.hr_b, w.cert_a)
