"""SAML 2.0 sign-in against an IdP built with pysaml2 in this process (xmlsec1 signs and
verifies for real): linking, and every refusal the issue lists (unsigned, tampered or
wrapped assertions, another audience, expired conditions, replays, InResponseTo)."""

import base64
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from wagtail_learning.identity.models import ProviderIdentity

from .saml_idp import SLO_URL, SSO_URL, TestIdP, key_pair

pytestmark = pytest.mark.django_db

ATTRIBUTES = {
    "employeeNumber": ["1001"],
    "mail": ["anna@huddinge.se"],
    "givenName": ["Anna"],
    "sn": ["Andersson"],
}


def to_idp(client, provider):
    response = client.get(f"/konto/sso/{provider.slug}/")
    assert response.status_code == 302, response.content[:300]
    assert response["Location"].startswith(SSO_URL)
    return response["Location"]


def post_answer(client, acs, saml_response):
    return client.post(urlsplit(acs).path, {"SAMLResponse": saml_response})


def saml_sign_in(client, provider, idp, **answer):
    acs, saml_response = idp.answer(to_idp(client, provider), **answer)
    response = post_answer(client, acs, saml_response)
    if response.status_code != 302:
        return response
    return client.get(response["Location"])


def refused(response, reason="", status=400):
    assert response.status_code == status, response.content[:300]
    assert reason in response.refusal_reason, response.refusal_reason
    assert "_auth_user_id" not in response.wsgi_request.session


def edit(saml_response: str, change) -> str:
    return base64.b64encode(change(base64.b64decode(saml_response).decode()).encode()).decode()


def test_signs_in_and_links_the_imported_profile(client, saml_provider, idp, imported):
    response = saml_sign_in(client, saml_provider, idp, attributes=ATTRIBUTES)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session["_auth_user_id"] == str(imported.pk)
    link = ProviderIdentity.objects.get(provider=saml_provider)
    assert link.subject == "saml-subject-1" and link.user == imported


def test_our_authn_request_is_signed_and_names_our_acs(client, saml_provider, idp):
    request = idp.read_request(to_idp(client, saml_provider)).message
    assert request.assertion_consumer_service_url.endswith(
        f"/konto/sso/saml/{saml_provider.slug}/acs/"
    )
    assert "Signature=" in to_idp(client, saml_provider)


def test_an_unsigned_assertion_is_refused(client, saml_provider, idp):
    refused(saml_sign_in(client, saml_provider, idp, sign_assertion=False), "Signature missing")


def test_a_tampered_assertion_is_refused(client, saml_provider, idp, imported):
    acs, answer = idp.answer(to_idp(client, saml_provider), attributes={"employeeNumber": ["9"]})
    forged = edit(answer, lambda xml: xml.replace(">9<", ">1001<"))
    assert forged != answer
    refused(post_answer(client, acs, forged), "Failed to verify")


def test_xml_signature_wrapping_is_refused(client, saml_provider, idp, imported):
    """The signed assertion kept (so the signature still verifies), an unsigned one with
    the attacker's claims put before it, with its own id."""
    acs, answer = idp.answer(to_idp(client, saml_provider), attributes={"employeeNumber": ["9"]})
    xml = base64.b64decode(answer).decode()
    prefix = re.search(r"<(\w+):Assertion[ >]", xml).group(1)
    close = f"</{prefix}:Assertion>"
    start = xml.index(f"<{prefix}:Assertion")
    end = xml.index(close) + len(close)
    signed = xml[start:end]
    evil = re.sub(r'ID="[^"]+"', 'ID="id-evil"', signed, count=1)
    evil = re.sub(r"<(\w+:)?Signature.*?</(\w+:)?Signature>", "", evil, flags=re.S)
    evil = evil.replace(">9<", ">1001<")
    wrapped = xml[:start] + evil + signed + xml[end:]
    forged = base64.b64encode(wrapped.encode()).decode()
    refused(post_answer(client, acs, forged), "number of assertions")
    # And the other way round: the signed one tucked inside the evil one.
    nested = xml[:start] + evil.replace(close, signed + close) + xml[end:]
    refused(post_answer(client, acs, base64.b64encode(nested.encode()).decode()), "refused")


def test_an_assertion_for_another_audience_is_refused(client, saml_provider, idp):
    refused(
        saml_sign_in(client, saml_provider, idp, audience="https://other-sp.example/saml"),
        "AudienceRestrictions",
    )


def test_expired_conditions_are_refused(client, saml_provider, idp):
    acs, answer = idp.answer(to_idp(client, saml_provider))
    with time_machine.travel(timezone.now() + timedelta(minutes=9), tick=True):
        refused(post_answer(client, acs, answer), "too old")


def test_a_replayed_answer_is_refused(client, saml_provider, idp):
    acs, answer = idp.answer(to_idp(client, saml_provider))
    assert post_answer(client, acs, answer).status_code == 302
    refused(post_answer(client, acs, answer), "Unsolicited")


def test_a_replayed_assertion_id_is_refused(client, saml_provider, idp, monkeypatch):
    """The IdP signs a second assertion with an id it used before (answering a second,
    genuine request): all else is valid, the id was seen."""
    import saml2.s_utils

    monkeypatch.setattr(saml2.s_utils, "sid", lambda: "id-used-twice")
    acs, first = idp.answer(to_idp(client, saml_provider))
    assert post_answer(client, acs, first).status_code == 302
    _acs, second = idp.answer(to_idp(client, saml_provider))
    assert second != first
    refused(post_answer(client, acs, second), "replayed")


def test_in_response_to_must_name_our_request(client, saml_provider, idp):
    refused(
        saml_sign_in(client, saml_provider, idp, in_response_to="id-we-never-sent"), "Unsolicited"
    )


def test_the_answer_is_taken_only_by_the_browser_that_asked(client, saml_provider, idp):
    acs, answer = idp.answer(to_idp(client, saml_provider))
    finish = post_answer(Client(), acs, answer)  # the ACS itself needs no cookie
    assert finish.status_code == 302
    refused(Client().get(finish["Location"]), "another browser")
    assert client.get(finish["Location"]).status_code == 302
    again = client.get(finish["Location"])
    assert again.status_code == 400 and "used" in again.refusal_reason


def test_an_answer_signed_by_another_idp_is_refused(client, saml_provider, idp):
    impostor = TestIdP(
        client.get(f"/konto/sso/saml/{saml_provider.slug}/metadata/").content.decode()
    )
    acs, answer = impostor.answer(to_idp(client, saml_provider))
    refused(post_answer(client, acs, answer), "Failed to verify")


@pytest.mark.parametrize("junk", ["", "bm90IHhtbA==", "%%%", "PHg+PC94Pg=="])
def test_garbage_is_a_400(client, saml_provider, idp, junk):
    to_idp(client, saml_provider)
    response = client.post(f"/konto/sso/saml/{saml_provider.slug}/acs/", {"SAMLResponse": junk})
    assert response.status_code == 400


def test_wrong_methods_and_unknown_providers(client, saml_provider, idp):
    assert client.get(f"/konto/sso/saml/{saml_provider.slug}/acs/").status_code == 405
    assert client.post("/konto/sso/saml/nobody/acs/", {"SAMLResponse": "x"}).status_code == 404
    assert client.get("/konto/sso/saml/klar/?t=forged").status_code == 400


def test_logout_sends_a_logout_request_to_the_idp(client, saml_provider, idp, imported):
    saml_sign_in(client, saml_provider, idp, attributes=ATTRIBUTES)
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert f'content="0;url={SLO_URL}?SAMLRequest=' in response.content.decode()


def test_the_logout_service_never_logs_out_on_an_unsigned_get(client, saml_provider, idp, imported):
    client.force_login(imported)
    url = f"/konto/sso/saml/{saml_provider.slug}/sls/"
    assert client.get(url).status_code == 400
    assert client.get(url, {"SAMLRequest": "forged"}).status_code == 400
    assert client.get(url, {"SAMLResponse": "x"}).status_code == 400
    assert client.session["_auth_user_id"] == str(imported.pk)


def test_an_assertion_encrypted_to_our_key_signs_in(client, saml_provider, idp, imported):
    """The IdP signs the assertion, then encrypts it to the encryption certificate in our
    SP metadata; we decrypt it with our key and check the signature inside."""
    acs, answer = idp.answer(
        to_idp(client, saml_provider), attributes=ATTRIBUTES, encrypt_assertion=True
    )
    xml = base64.b64decode(answer).decode()
    assert "EncryptedAssertion" in xml and "anna@huddinge.se" not in xml
    finish = post_answer(client, acs, answer)
    assert finish.status_code == 302, getattr(finish, "refusal_reason", "")
    response = client.get(finish["Location"])
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session["_auth_user_id"] == str(imported.pk)


def test_an_assertion_encrypted_to_another_key_is_refused(client, saml_provider, idp):
    acs, answer = idp.answer(
        to_idp(client, saml_provider),
        attributes=ATTRIBUTES,
        encrypt_assertion=True,
        encrypt_to=key_pair("not our sp")[1],
    )
    response = post_answer(client, acs, answer)
    refused(response, "encrypted to another key")
    assert "Inloggningen kunde inte slutföras" in response.content.decode()


def test_an_encrypted_but_unsigned_assertion_is_refused(client, saml_provider, idp):
    refused(
        saml_sign_in(client, saml_provider, idp, sign_assertion=False, encrypt_assertion=True),
        "Signature missing",
    )
