"""A single-tenant deployment's provider from environment variables (LMS_IDP_*), written
to the database on every `migrate` (and by `manage.py identity_from_environment`), so the
rest of the code knows one kind of provider. The admin shows it; the environment wins.
"""

from __future__ import annotations

import logging
import os

from django.db import transaction

logger = logging.getLogger(__name__)

# env var -> model field
FIELDS = {
    "LMS_IDP_LABEL": "button_label",
    "LMS_IDP_DOMAINS": "domains",
    "LMS_IDP_OIDC_DISCOVERY_URL": "oidc_discovery_url",
    "LMS_IDP_OIDC_CLIENT_ID": "oidc_client_id",
    "LMS_IDP_OIDC_CLIENT_SECRET": "oidc_client_secret",
    "LMS_IDP_OIDC_SCOPES": "oidc_scopes",
    "LMS_IDP_CLAIM_SUBJECT": "claim_subject",
    "LMS_IDP_CLAIM_EMAIL": "claim_email",
    "LMS_IDP_CLAIM_EMPLOYEE_NUMBER": "claim_employee_number",
    "LMS_IDP_CLAIM_GIVEN_NAME": "claim_given_name",
    "LMS_IDP_CLAIM_FAMILY_NAME": "claim_family_name",
    "LMS_IDP_CLAIM_UNIT": "claim_unit",
    "LMS_IDP_SAML_METADATA_URL": "saml_metadata_url",
    "LMS_IDP_SAML_IDP_ENTITY_ID": "saml_idp_entity_id",
    "LMS_IDP_SAML_SP_ENTITY_ID": "saml_sp_entity_id",
    "LMS_IDP_ATTR_SUBJECT": "attr_subject",
    "LMS_IDP_ATTR_EMAIL": "attr_email",
    "LMS_IDP_ATTR_EMPLOYEE_NUMBER": "attr_employee_number",
    "LMS_IDP_ATTR_GIVEN_NAME": "attr_given_name",
    "LMS_IDP_ATTR_FAMILY_NAME": "attr_family_name",
    "LMS_IDP_ATTR_UNIT": "attr_unit",
}
# env var naming a file whose content goes to the field
FILE_FIELDS = {
    "LMS_IDP_SAML_METADATA_FILE": "saml_metadata_xml",
    "LMS_IDP_SAML_METADATA_CERT_FILE": "saml_metadata_certificate",
    "LMS_IDP_SAML_SP_CERT_FILE": "saml_sp_certificate",
    "LMS_IDP_SAML_SP_KEY_FILE": "saml_sp_private_key",
}


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def sync_from_environment(sender=None, environ=None, **kwargs):
    """Create or update the provider LMS_IDP_SLUG describes; nothing when it is unset.
    Returns the provider."""
    from wagtail_learning.org.api import Organisation

    from .models import IdentityProvider

    env = os.environ if environ is None else environ
    slug = env.get("LMS_IDP_SLUG", "").strip()
    if not slug:
        return None
    org_name = env.get("LMS_IDP_ORGANISATION", "").strip()
    organisation = Organisation.objects.filter(depth=1, name=org_name).first()
    if organisation is None:
        logger.warning("LMS_IDP_ORGANISATION %r is no top-level organisation: skipped", org_name)
        return None
    values = {field: env[name] for name, field in FIELDS.items() if name in env}
    for name, field in FILE_FIELDS.items():
        if env.get(name):
            with open(env[name], encoding="utf-8") as handle:
                values[field] = handle.read()
    values["protocol"] = env.get("LMS_IDP_PROTOCOL", "oidc").strip().lower()
    values["is_active"] = _truthy(env.get("LMS_IDP_ACTIVE", "1"))
    values["local_passwords_disabled"] = _truthy(env.get("LMS_IDP_PASSWORDS_DISABLED", "0"))
    values["organisation"] = organisation
    values["managed_by_environment"] = True
    with transaction.atomic():
        provider, _created = IdentityProvider.objects.update_or_create(slug=slug, defaults=values)
        provider.full_clean()
    return provider
