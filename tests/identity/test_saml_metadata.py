"""A federation's signed metadata aggregate (Sambi, Skolfederation, Fedkom): with the
federation's signing certificate set, only metadata whose XML signature verifies with it,
and that has not expired, is used; among its many IdPs only the one the provider names
may sign people in. Each refusal is a 4xx with a clear message at sign-in, and an error
in the admin form."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import escape

from wagtail_learning.identity.models import ProviderIdentity

from .saml_idp import IDP_ENTITY_ID, SSO_URL, TestIdP, federation_metadata, key_pair
from .test_saml import ATTRIBUTES, post_answer, saml_sign_in, to_idp

pytestmark = pytest.mark.django_db

OTHER_IDP = "https://idp.other-member.test/saml"


@pytest.fixture(scope="session")
def federation_keys():
    return key_pair("test federation metadata signer")


@pytest.fixture
def other_idp(client, saml_provider):
    sp_metadata = client.get(f"/konto/sso/saml/{saml_provider.slug}/metadata/").content.decode()
    return TestIdP(
        sp_metadata,
        entity_id=OTHER_IDP,
        sso_url="https://idp.other-member.test/sso",
        slo_url="https://idp.other-member.test/slo",
    )


@pytest.fixture
def federated(saml_provider, idp, other_idp, federation_keys):
    """The provider reads the federation's aggregate and knows the federation's key."""
    saml_provider.saml_metadata_xml = federation_metadata([other_idp, idp], federation_keys)
    saml_provider.saml_metadata_certificate = federation_keys[1]
    saml_provider.saml_idp_entity_id = IDP_ENTITY_ID
    saml_provider.save()
    return saml_provider


def use_metadata(provider, xml):
    provider.saml_metadata_xml = xml
    provider.save()


def metadata_refused(client, provider, reason):
    """The sign-in cannot even start: a 403 whose message names the provider and asks
    for the administrator, the reason in the log."""
    response = client.get(f"/konto/sso/{provider.slug}/")
    assert response.status_code == 403, response.content[:300]
    assert reason in response.refusal_reason, response.refusal_reason
    message = str(response.context["message"])
    assert provider.display_name in message
    assert escape(message) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signed_federation_metadata_is_used(client, federated, idp, imported):
    response = saml_sign_in(client, federated, idp, attributes=ATTRIBUTES)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session["_auth_user_id"] == str(imported.pk)
    assert ProviderIdentity.objects.get(provider=federated).user == imported


def test_another_member_of_the_federation_cannot_sign_our_people_in(
    client, federated, idp, other_idp, imported
):
    """Its key is in the (genuine) aggregate, so its signature verifies; it is still not
    the IdP this provider trusts."""
    acs, answer = other_idp.answer(to_idp(client, federated), attributes=ATTRIBUTES, read_with=idp)
    response = post_answer(client, acs, answer)
    assert response.status_code == 400
    assert "not by" in response.refusal_reason
    assert "_auth_user_id" not in client.session


def test_unsigned_metadata_is_refused(client, federated, idp, other_idp, federation_keys):
    use_metadata(federated, federation_metadata([other_idp, idp], federation_keys, sign=False))
    metadata_refused(client, federated, "not signed")


def test_tampered_metadata_is_refused(client, federated, idp, other_idp, federation_keys):
    """The signed aggregate with our IdP's SSO address pointed elsewhere."""
    signed = federation_metadata([other_idp, idp], federation_keys)
    tampered = signed.replace(SSO_URL, "https://evil.example/sso")
    assert tampered != signed
    use_metadata(federated, tampered)
    metadata_refused(client, federated, "signature does not verify")


def test_metadata_signed_by_another_key_is_refused(client, federated, idp, other_idp):
    use_metadata(federated, federation_metadata([other_idp, idp], key_pair("not the federation")))
    metadata_refused(client, federated, "signature does not verify")


def test_expired_metadata_is_refused(client, federated, idp, other_idp, federation_keys):
    use_metadata(federated, federation_metadata([idp], federation_keys, valid_hours=-1))
    metadata_refused(client, federated, "expired")


def test_a_signed_aggregate_wrapped_in_an_unsigned_one_is_refused(
    client, federated, idp, other_idp, federation_keys
):
    """Signature wrapping: the genuine signed aggregate kept whole (its signature
    verifies), inside an unsigned EntitiesDescriptor with the attacker's IdP first."""
    signed = re.sub(r"^<\?xml[^>]*>", "", federation_metadata([idp], federation_keys))
    attacker = TestIdP(
        Client().get(f"/konto/sso/saml/{federated.slug}/metadata/").content.decode(),
        sso_url="https://evil.example/sso",
    )
    evil = re.sub(r"^<\?xml[^>]*>", "", attacker.metadata())
    ns = 'xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
    wrapped = f'<md:EntitiesDescriptor {ns} ID="evil">{evil}{signed}</md:EntitiesDescriptor>'
    use_metadata(federated, wrapped)
    metadata_refused(client, federated, "not cover")


def test_an_aggregate_needs_the_idp_named(client, federated):
    federated.saml_idp_entity_id = ""
    federated.save()
    metadata_refused(client, federated, "names 2 IdPs")
    federated.saml_idp_entity_id = "https://idp.not-a-member.test/saml"
    federated.save()
    metadata_refused(client, federated, "no IdP")


def test_without_a_certificate_unsigned_metadata_is_used(client, saml_provider, idp, imported):
    """As before: metadata the administrator pasted in, or fetched from a URL without a
    certificate, is trusted as it is (one IdP)."""
    assert not saml_provider.saml_metadata_certificate
    response = saml_sign_in(client, saml_provider, idp, attributes=ATTRIBUTES)
    assert response.status_code == 302


def test_the_admin_form_says_why_metadata_is_refused(
    client, federated, idp, other_idp, federation_keys
):
    admin = get_user_model().objects.create_superuser("root", "root@example.se", "pw-9sK!x2")
    client.force_login(admin)
    url = f"/admin/identity_providers/edit/{federated.pk}/"
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name, getattr(federated, name, "")) for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(organisation=federated.organisation_id, is_active="on")
    data.pop("local_passwords_disabled", None)
    data["saml_metadata_xml"] = federation_metadata(
        [other_idp, idp], key_pair("not the federation")
    )
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors["saml_metadata_certificate"]
    assert "signature does not verify" in errors[0]
    data["saml_metadata_xml"] = federation_metadata([other_idp, idp], federation_keys)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
