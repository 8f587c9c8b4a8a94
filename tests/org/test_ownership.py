"""Content an organisation owns (org.ownership, decision 0035): its editors edit it, other
editors reuse it read-only, content with no owner stays editable by every editor, and a
new or copied design belongs to the organisation of the editor who made it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.permissions import policy_registry

from tests.certificates.test_admin_views import design_form_data
from tests.factories import CertificateDesignFactory, SuperuserFactory, UserFactory, org_unit
from wagtail_learning.certificates.models import CertificateDesign
from wagtail_learning.org.models import EditorialGroup

PERMISSIONS = ["access_admin", "add_certificatedesign", "change_certificatedesign",
               "delete_certificatedesign", "view_certificatedesign"]  # fmt: skip


def _editor(organisation=None, name="Redaktörer"):
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(*Permission.objects.filter(codename__in=PERMISSIONS))
    if organisation is not None:
        EditorialGroup.objects.get_or_create(group=group, defaults={"organisation": organisation})
    user = UserFactory()
    user.groups.add(group)
    return user


def _url(view, *args):
    return reverse(f"wagtailsnippets_certificates_certificatedesign:{view}", args=args)


def _refused(response) -> bool:
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


@pytest.fixture
def world(db):
    solna, tyreso = org_unit("Solna stad"), org_unit("Tyresö kommun")
    return {
        "solna": solna,
        "tyreso": tyreso,
        "solna_editor": _editor(solna, "Redaktörer Solna"),
        "tyreso_editor": _editor(tyreso, "Redaktörer Tyresö"),
        "editor_of_nobody": _editor(None, "Redaktörer utan organisation"),
        "solnas": CertificateDesignFactory(name="Solnas intyg", owner=solna),
        "nobodys": CertificateDesignFactory(name="Plattformens intyg"),
    }


def test_an_owned_design_is_edited_by_its_organisations_editors_only(world, client):
    policy = policy_registry.get_by_type(CertificateDesign)
    solnas = world["solnas"]

    # Solna's own editor last: their delete goes through.
    for name, may in [("tyreso_editor", False), ("editor_of_nobody", False),
                      ("solna_editor", True)]:  # fmt: skip
        user = world[name]
        assert policy.user_has_permission_for_instance(user, "change", solnas) is may, name
        assert policy.user_has_permission_for_instance(user, "delete", solnas) is may, name
        assert policy.user_has_permission_for_instance(user, "view", solnas), name
        client.force_login(user)
        response = client.get(_url("edit", solnas.pk))
        assert (response.status_code == 200) is may and _refused(response) is not may, name
        response = client.post(_url("delete", solnas.pk))
        assert _refused(response) is not may, name
    assert not CertificateDesign.objects.filter(pk=solnas.pk).exists()


def test_a_design_with_no_owner_stays_editable_by_every_editor(world, client):
    nobodys = world["nobodys"]
    for name in ("solna_editor", "tyreso_editor", "editor_of_nobody"):
        client.force_login(world[name])
        assert client.get(_url("edit", nobodys.pk)).status_code == 200, name


def test_a_superuser_edits_every_organisations_designs(world, client):
    client.force_login(SuperuserFactory())
    assert client.get(_url("edit", world["solnas"].pk)).status_code == 200


def test_a_new_design_belongs_to_its_editors_organisation_and_a_copy_to_the_copier(world, client):
    client.force_login(world["tyreso_editor"])
    response = client.post(_url("add"), design_form_data(name="Tyresös intyg"))
    assert response.status_code == 302
    assert CertificateDesign.objects.get(name="Tyresös intyg").owner == world["tyreso"]

    # Reusing Solna's: the copy form (filled in from Solna's) posts to the add view, and
    # the copy is Tyresö's own, which Tyresö's editors then edit.
    copy_form = client.get(_url("copy", world["solnas"].pk))
    assert copy_form.status_code == 200 and "Solnas intyg" in copy_form.content.decode()
    response = client.post(_url("add"), design_form_data(name="Kopia"))
    assert response.status_code == 302
    copy = CertificateDesign.objects.get(name="Kopia")
    assert copy.owner == world["tyreso"]
    assert client.get(_url("edit", copy.pk)).status_code == 200
    # Posting to the copy view itself would save over the original: refused.
    response = client.post(_url("copy", world["solnas"].pk), design_form_data(name="Kapad"))
    assert response.status_code == 405
    world["solnas"].refresh_from_db()
    assert (world["solnas"].name, world["solnas"].owner) == ("Solnas intyg", world["solna"])

    # An editor of no organisation makes designs that anyone may edit.
    client.force_login(world["editor_of_nobody"])
    client.post(_url("add"), design_form_data(name="Allas intyg"))
    assert CertificateDesign.objects.get(name="Allas intyg").owner is None


def test_the_listing_offers_to_edit_only_what_the_editor_may(world, client):
    client.force_login(world["tyreso_editor"])
    listing = client.get(_url("list")).content.decode()
    assert "Solnas intyg" in listing and "Plattformens intyg" in listing
    assert _url("edit", world["solnas"].pk) not in listing
    assert _url("delete", world["solnas"].pk) not in listing
    assert _url("edit", world["nobodys"].pk) in listing
    assert _url("delete", world["nobodys"].pk) in listing


def test_an_old_revision_does_not_make_an_owned_design_editable(world, client):
    """A revision saved before the design had an owner rebuilds an object with no owner:
    the owner stored on the row decides, so reverting to it is still refused."""
    solnas = world["solnas"]
    solnas.owner = None
    revision = solnas.save_revision()
    CertificateDesign.objects.filter(pk=solnas.pk).update(owner=world["solna"])

    client.force_login(world["tyreso_editor"])
    url = _url("revisions_revert", solnas.pk, revision.pk)
    assert _refused(client.get(url))
    client.force_login(world["solna_editor"])
    assert client.get(url).status_code == 200


def test_the_policy_names_who_may_edit_and_which_rows(world):
    policy = policy_registry.get_by_type(CertificateDesign)
    superuser = SuperuserFactory()
    editors = set(policy.users_with_any_permission_for_instance(["change"], world["solnas"]))
    assert world["solna_editor"] in editors and superuser in editors
    assert world["tyreso_editor"] not in editors
    readers = set(policy.users_with_any_permission_for_instance(["view"], world["solnas"]))
    assert world["tyreso_editor"] in readers

    ours = [world["nobodys"].pk, world["solnas"].pk]  # (the default design has no owner)

    def rows(user, actions):
        return set(policy.instances_user_has_any_permission_for(user, actions).filter(pk__in=ours))

    assert rows(world["tyreso_editor"], ["change"]) == {world["nobodys"]}
    assert rows(world["tyreso_editor"], ["change", "view"]) == {world["nobodys"], world["solnas"]}
    assert rows(world["solna_editor"], ["change"]) == {world["nobodys"], world["solnas"]}
    assert rows(superuser, ["change"]) == {world["nobodys"], world["solnas"]}


def test_every_view_of_an_owned_viewset_asks_the_rule():
    """The viewset mixin wraps each view class once: create and copy views set the owner
    (and copy refuses POST), every other view asks about its row."""
    from wagtail.snippets.views.snippets import CopyView, CreateView, DeleteView, EditView

    from wagtail_learning.org import ownership

    edit = ownership._owned(EditView)
    assert issubclass(edit, ownership._OwnedViewMixin) and issubclass(edit, EditView)
    assert ownership._owned(EditView) is edit and ownership._owned(edit) is edit
    assert not issubclass(ownership._owned(DeleteView), ownership._OwnedCreateMixin)
    assert issubclass(ownership._owned(CreateView), ownership._OwnedCreateMixin)
    assert not issubclass(ownership._owned(CreateView), ownership._OwnedCopyMixin)
    assert issubclass(ownership._owned(CopyView), ownership._OwnedCopyMixin)
    assert ownership.is_owned(CertificateDesign) and not ownership.is_owned(EditorialGroup)


def test_nobody_signed_out_inactive_or_without_the_permission_edits_owned_content(world):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import ImproperlyConfigured

    from wagtail_learning.org import ownership

    policy = policy_registry.get_by_type(CertificateDesign)
    solnas, nobodys = world["solnas"], world["nobodys"]
    assert ownership.editing_organisations(AnonymousUser()) == set()
    assert ownership.may_edit(AnonymousUser(), solnas) is False
    assert ownership.may_edit(AnonymousUser(), nobodys) is True  # no owner: as before
    inactive = world["solna_editor"]
    inactive.is_active = False
    assert ownership.editing_organisations(inactive) == set()
    assert ownership.may_edit(inactive, solnas) is False
    assert policy.user_has_permission_for_instance(UserFactory(), "view", solnas) is False

    # Change without view: only what they may change, not the other organisation's.
    group = Group.objects.create(name="Bara ändra")
    group.permissions.add(Permission.objects.get(codename="change_certificatedesign"))
    changer = UserFactory()
    changer.groups.add(group)
    rows = policy.instances_user_has_any_permission_for(changer, ["change", "view"])
    assert set(rows.filter(pk__in=[solnas.pk, nobodys.pk])) == {nobodys}

    # Registering again is harmless; naming another owner field is a mistake.
    before = policy_registry.get_by_type(CertificateDesign)
    ownership.register_owned_model(CertificateDesign)
    assert policy_registry.get_by_type(CertificateDesign) is before
    with pytest.raises(ImproperlyConfigured):
        ownership.register_owned_model(CertificateDesign, owner="organisation")
