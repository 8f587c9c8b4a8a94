"""The identity providers in Wagtail's admin (Settings menu). Only superusers hold the
model permissions by default, so only they configure providers."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import IdentityConflict, IdentityProvider
from .vocabulary import Protocol

SECRET_FIELDS = ("oidc_client_secret", "saml_sp_private_key")
FORM_FIELDS = [
    "organisation",
    "slug",
    "button_label",
    "protocol",
    "is_active",
    "domains",
    "local_passwords_disabled",
    "oidc_discovery_url",
    "oidc_client_id",
    "oidc_client_secret",
    "oidc_scopes",
    "claim_subject",
    "claim_email",
    "claim_employee_number",
    "claim_given_name",
    "claim_family_name",
    "claim_unit",
    "saml_metadata_url",
    "saml_metadata_xml",
    "saml_idp_entity_id",
    "saml_metadata_certificate",
    "saml_sp_entity_id",
    "saml_sp_certificate",
    "saml_sp_private_key",
    "attr_subject",
    "attr_email",
    "attr_employee_number",
    "attr_given_name",
    "attr_family_name",
    "attr_unit",
]


class IdentityProviderForm(WagtailAdminModelForm):
    """Secrets are write-only: never rendered back; left blank, the stored one is kept."""

    class Meta:
        model = IdentityProvider
        fields = FORM_FIELDS  # modelcluster's form would ignore "__all__"
        widgets = {
            "oidc_client_secret": forms.PasswordInput(render_value=False),
            "saml_sp_private_key": forms.Textarea(attrs={"rows": 4}),
            "domains": forms.Textarea(attrs={"rows": 3}),
            "saml_metadata_xml": forms.Textarea(attrs={"rows": 4}),
            "saml_metadata_certificate": forms.Textarea(attrs={"rows": 4}),
            "saml_sp_certificate": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            if name in self.fields:
                self.initial[name] = ""
                stored = self.instance.pk and getattr(self.instance, name)
                self.fields[name].help_text = (
                    _("A value is stored; leave empty to keep it.")
                    if stored
                    else _("Not shown again once saved.")
                )

    def clean(self):
        """SAML metadata is checked as a sign-in would use it (its signature against the
        metadata signing certificate, its validUntil, the IdP chosen): a refusal is
        shown here rather than found by the first person signing in."""
        cleaned = super().clean()
        if cleaned.get("protocol") != Protocol.SAML or self.errors:
            return cleaned
        if not (cleaned.get("saml_metadata_url") or cleaned.get("saml_metadata_xml")):
            return cleaned
        from . import saml  # pysaml2 only when a SAML provider is saved

        probe = IdentityProvider(
            slug=cleaned.get("slug") or "probe",
            button_label=cleaned.get("button_label") or "probe",
            saml_metadata_url=cleaned.get("saml_metadata_url") or "",
            saml_metadata_xml=cleaned.get("saml_metadata_xml") or "",
            saml_metadata_certificate=cleaned.get("saml_metadata_certificate") or "",
            saml_idp_entity_id=cleaned.get("saml_idp_entity_id") or "",
        )
        problem = saml.metadata_problem(probe)
        if problem:
            field = (
                "saml_metadata_certificate"
                if probe.saml_metadata_certificate.strip()
                else ("saml_metadata_xml" if probe.saml_metadata_xml else "saml_metadata_url")
            )
            self.add_error(
                field,
                _("The IdP metadata was refused: %(reason)s") % {"reason": problem},
            )
        return cleaned

    def _post_clean(self):
        # A secret left blank keeps the stored one (it is never rendered back).
        super()._post_clean()
        if self.instance.pk:
            stored = IdentityProvider.objects.filter(pk=self.instance.pk).values(*SECRET_FIELDS)
            stored = stored.first() or {}
            for name in SECRET_FIELDS:
                if not self.cleaned_data.get(name):
                    setattr(self.instance, name, stored.get(name, ""))


class IdentityProviderViewSet(ModelViewSet):
    model = IdentityProvider
    form_fields = FORM_FIELDS
    list_display = ["slug", "organisation", "protocol", "is_active", "local_passwords_disabled"]
    icon = "key"
    add_to_settings_menu = True
    menu_label = _("Identity providers")
    name = "identity_providers"

    def get_form_class(self, for_update=False):
        return IdentityProviderForm


class SuperusersMayViewAndDelete(BasePermissionPolicy):
    """Conflicts name accounts of several organisations: only superusers see them, and
    they only read and remove them (a conflict is solved on the accounts, not here)."""

    def user_has_permission(self, user, action):
        return bool(user.is_active and user.is_superuser and action in ("view", "delete"))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        if not set(actions) & {"view", "delete"}:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(is_active=True, is_superuser=True)

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


class IdentityConflictViewSet(ModelViewSet):
    """Sign-ins refused because the provider's verified address belongs to another
    organisation's account. The listing says what to do."""

    model = IdentityConflict
    form_fields = []
    list_display = [
        "email",
        "provider",
        "account",
        "account_organisations",
        "attempts",
        "last_seen_at",
    ]
    icon = "warning"
    add_to_settings_menu = True
    menu_label = _("Identity conflicts")
    name = "identity_conflicts"
    inspect_view_enabled = True
    copy_view_enabled = False
    index_template_name = "identity/admin/conflicts_index.html"


register_permission_policy(IdentityConflict, SuperusersMayViewAndDelete(IdentityConflict))


@hooks.register("register_admin_viewset")
def register_viewset():
    return IdentityProviderViewSet()


@hooks.register("register_admin_viewset")
def register_conflict_viewset():
    return IdentityConflictViewSet()
