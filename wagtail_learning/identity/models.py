"""Identity providers per organisation, the subjects they vouch for, the SAML requests
we are waiting for an answer to, and the SAML sessions single logout may end."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail_learning.org.api import Organisation

from .vocabulary import Protocol

_domain = RegexValidator(
    r"^([a-z0-9-]+\.)+[a-z]{2,}$", _("Enter domain names such as huddinge.se, one a line.")
)


class IdentityProvider(models.Model):
    """One organisation's identity provider. Several may be active at once (one
    organisation may even have two: staff over OIDC, care staff through a SAML federation).

    Secrets (the OIDC client secret, the SAML private key) are never shown back in the
    admin: a blank field on edit keeps the stored value."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="identity_providers",
        verbose_name=_("organisation"),
        limit_choices_to={"depth": 1},
    )
    slug = models.SlugField(
        _("short name"), max_length=64, unique=True, help_text=_("Used in the sign-in URLs.")
    )
    button_label = models.CharField(
        _("button text"),
        max_length=200,
        blank=True,
        help_text=_('Shown as "Log in with …"; empty: the organisation\'s name.'),
    )
    protocol = models.CharField(_("protocol"), max_length=8, choices=Protocol.choices)
    is_active = models.BooleanField(_("active"), default=True)
    domains = models.TextField(
        _("email domains"),
        blank=True,
        help_text=_(
            "The domains this provider owns, one a line (e.g. huddinge.se). Its email "
            "addresses are trusted only for these; a person typing such an address on the "
            "login page is sent here."
        ),
    )
    local_passwords_disabled = models.BooleanField(
        _("only this provider for the organisation's people"),
        default=False,
        help_text=_(
            "Refuse password logins for the people of this organisation (and for addresses "
            "in these domains): they must use this provider."
        ),
    )

    # OpenID Connect
    oidc_discovery_url = models.URLField(
        _("issuer or discovery URL"),
        blank=True,
        help_text=_(
            "The issuer (e.g. https://login.microsoftonline.com/<tenant>/v2.0) or its "
            "/.well-known/openid-configuration."
        ),
    )
    oidc_client_id = models.CharField(_("client id"), max_length=255, blank=True)
    oidc_client_secret = models.CharField(_("client secret"), max_length=512, blank=True)
    oidc_scopes = models.CharField(_("scopes"), max_length=255, default="openid email profile")
    claim_subject = models.CharField(_("subject claim"), max_length=64, default="sub")
    claim_email = models.CharField(_("email claim"), max_length=64, default="email")
    claim_employee_number = models.CharField(
        _("employee number claim"), max_length=64, blank=True, default="employee_number"
    )
    claim_given_name = models.CharField(_("given name claim"), max_length=64, default="given_name")
    claim_family_name = models.CharField(
        _("family name claim"), max_length=64, default="family_name"
    )
    claim_unit = models.CharField(
        _("unit claim"),
        max_length=64,
        blank=True,
        help_text=_(
            "Places someone who signs in before the staff import has: the claim holding "
            "their unit's code (from the HR system) or its path below the organisation. "
            'Empty, or a unit not found: the organisation\'s "not yet placed" unit.'
        ),
    )

    # SAML 2.0
    saml_metadata_url = models.URLField(_("IdP metadata URL"), blank=True)
    saml_metadata_xml = models.TextField(
        _("IdP metadata (XML)"), blank=True, help_text=_("Instead of a URL: the file's content.")
    )
    saml_idp_entity_id = models.CharField(
        _("IdP entity id"),
        max_length=255,
        blank=True,
        help_text=_(
            "Required when the metadata is a federation's aggregate (many IdPs): the "
            "entity id of the one IdP to use. Empty: the only IdP in the metadata."
        ),
    )
    saml_metadata_certificate = models.TextField(
        _("metadata signing certificate (PEM)"),
        blank=True,
        help_text=_(
            "The federation's (or IdP's) metadata signing certificate. Given, the metadata "
            "is used only when its XML signature verifies with it and it has not expired."
        ),
    )
    saml_sp_entity_id = models.CharField(
        _("our SP entity id"),
        max_length=255,
        blank=True,
        help_text=_("Empty: this provider's metadata URL on this site."),
    )
    saml_sp_certificate = models.TextField(
        _("SP certificate (PEM)"),
        blank=True,
        help_text=_("Signs our requests and receives encrypted assertions."),
    )
    saml_sp_private_key = models.TextField(_("SP private key (PEM)"), blank=True)
    attr_subject = models.CharField(
        _("subject attribute"),
        max_length=255,
        blank=True,
        help_text=_("Empty: the persistent NameID."),
    )
    attr_email = models.CharField(_("email attribute"), max_length=255, default="mail")
    attr_employee_number = models.CharField(
        _("employee number attribute"), max_length=255, blank=True, default="employeeNumber"
    )
    attr_given_name = models.CharField(
        _("given name attribute"), max_length=255, default="givenName"
    )
    attr_family_name = models.CharField(_("family name attribute"), max_length=255, default="sn")
    attr_unit = models.CharField(
        _("unit attribute"),
        max_length=255,
        blank=True,
        help_text=_(
            "Places someone who signs in before the staff import has: the attribute "
            "holding their unit's code (from the HR system) or its path below the "
            'organisation. Empty, or a unit not found: the organisation\'s "not yet placed" '
            "unit."
        ),
    )

    managed_by_environment = models.BooleanField(
        _("set by the environment"), default=False, editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        ordering = ["organisation__name", "slug"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.button_label or self.organisation.name

    @property
    def domain_list(self) -> list[str]:
        return [d.lower() for d in re.split(r"[\s,]+", self.domains) if d]

    def owns_email(self, email: str) -> bool:
        domain = email.rpartition("@")[2].strip().lower()
        return bool(email) and "@" in email and domain in self.domain_list

    def clean(self):
        super().clean()
        for domain in self.domain_list:
            _domain(domain)
        errors = {}
        if self.protocol == Protocol.OIDC:
            for name in ("oidc_discovery_url", "oidc_client_id"):
                if not getattr(self, name):
                    errors[name] = _("Required for OpenID Connect.")
        elif self.protocol == Protocol.SAML and not (
            self.saml_metadata_url or self.saml_metadata_xml
        ):
            errors["saml_metadata_url"] = _("Give the IdP's metadata URL or its XML.")
        if errors:
            raise ValidationError(errors)


class ProviderIdentity(models.Model):
    """A provider's stable subject identifier for one of our accounts. A person is found by
    this on every later login; display names are never used to link."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="identities"
    )
    subject = models.CharField(_("subject"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("provider identity")
        verbose_name_plural = _("provider identities")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="identity_providerid_unique_subject"
            ),
            models.UniqueConstraint(
                fields=["provider", "user"], name="identity_providerid_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider.slug}:{self.subject}"


class SamlRequest(models.Model):
    """An AuthnRequest we sent and may get one answer to. Kept in the database, not the
    session: the IdP posts its answer cross-site, and a SameSite=Lax session cookie does
    not come with it. `browser` ties it to the session that started it (checked when the
    browser comes back with its cookie); `assertion_id` makes a replayed assertion fail."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    request_id = models.CharField(max_length=128, unique=True)
    browser = models.CharField(max_length=64)
    next_url = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the answer was verified: what the assertion said, for the finishing step.
    answered_at = models.DateTimeField(null=True, blank=True)
    finish_token = models.CharField(max_length=64, blank=True, db_index=True)
    identity = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("SAML sign-in request")
        verbose_name_plural = _("SAML sign-in requests")

    def __str__(self) -> str:
        return self.request_id


class SeenAssertion(models.Model):
    """Assertion ids already used, until their conditions expire: a replay is refused."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    assertion_id = models.CharField(max_length=256)
    not_on_or_after = models.DateTimeField()

    class Meta:
        verbose_name = _("used SAML assertion")
        verbose_name_plural = _("used SAML assertions")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "assertion_id"], name="identity_seen_unique_assertion"
            )
        ]

    def __str__(self) -> str:
        return self.assertion_id


class SamlSession(models.Model):
    """A sign-in through a SAML provider: the IdP's NameID and SessionIndex, and the
    Django session it opened. An IdP-initiated LogoutRequest names the NameID (and maybe
    the SessionIndex); these rows find the sessions to end. Removed when the session ends
    through our logout or theirs."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    name_id = models.CharField(max_length=512)
    session_index = models.CharField(max_length=256, blank=True)
    session_key = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("SAML session")
        verbose_name_plural = _("SAML sessions")
        indexes = [models.Index(fields=["provider", "name_id"], name="identity_samlsession_nameid")]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.name_id}"


class SamlLogoutRequest(models.Model):
    """A LogoutRequest we sent to an IdP: its LogoutResponse must name it (InResponseTo),
    once."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    request_id = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SAML sign-out request")
        verbose_name_plural = _("SAML sign-out requests")

    def __str__(self) -> str:
        return self.request_id


class IdentityConflict(models.Model):
    """A sign-in refused because the provider's verified email address belongs to an
    account of another organisation: a provider links and creates accounts only in the
    organisation it serves. Shown to superusers, who decide (see the admin's listing)."""

    provider = models.ForeignKey(
        IdentityProvider,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("identity provider"),
    )
    subject = models.CharField(_("subject"), max_length=255)
    email = models.EmailField(_("email"), max_length=254)
    employee_number = models.CharField(_("employee number"), max_length=64, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("existing account"),
    )
    account_organisations = models.CharField(
        _("the account's organisations"), max_length=500, blank=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now=True)

    class Meta:
        verbose_name = _("identity conflict")
        verbose_name_plural = _("identity conflicts")
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="identity_conflict_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider.slug}:{self.email}"
