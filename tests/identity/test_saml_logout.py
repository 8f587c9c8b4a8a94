"""SAML single logout in both directions, against the pysaml2 IdP in this process (xmlsec1
and the query-string signatures of the HTTP-Redirect binding for real).

SP-initiated: logout ends our session, sends a signed LogoutRequest, and checks the IdP's
LogoutResponse (signature, issuer, Destination, InResponseTo, status); a bad answer gets a
4xx page saying the provider's logout is not confirmed, and our session is over anyway.
IdP-initiated: a signed LogoutRequest ends the sessions of its NameID (and SessionIndex)
and gets a signed LogoutResponse; anything unsigned or forged is a 4xx and ends nothing."""

import html
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from wagtail_learning.identity.models import SamlLogoutRequest, SamlSession
from wagtail_learning.identity.saml import LOGOUT_REFUSED, LOGOUT_REQUEST_REFUSED

from .saml_idp import SLO_URL, TestIdP
from .test_saml import ATTRIBUTES, saml_sign_in

pytestmark = pytest.mark.django_db

SUBJECT = "saml-subject-1"


def sls(provider):
    return f"/konto/sso/saml/{provider.slug}/sls/"


def sls_url(provider):
    return "http://testserver" + sls(provider)


@pytest.fixture
def signed_in(client, saml_provider, idp, imported):
    response = saml_sign_in(client, saml_provider, idp, attributes=ATTRIBUTES)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(imported.pk)
    return client


def logout_location(client) -> str:
    """POST logout; the URL of our LogoutRequest at the IdP (the page's meta refresh)."""
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    match = re.search(r'content="0;url=([^"]+)"', response.content.decode())
    return html.unescape(match.group(1))


def refused(response, reason: str, message, status: int = 400):
    assert response.status_code == status, response.content[:300]
    assert reason in response.refusal_reason, response.refusal_reason
    assert response.context["message"] == message


def impostor(client, provider, **kwargs):
    """An IdP with the real one's entity id but a key of its own."""
    sp_metadata = client.get(f"/konto/sso/saml/{provider.slug}/metadata/").content.decode()
    return TestIdP(sp_metadata, **kwargs)


# SP-initiated


def test_sign_in_remembers_the_name_id_and_session_index(signed_in, saml_provider, idp):
    row = SamlSession.objects.get(provider=saml_provider)
    assert idp.session_index
    assert (row.name_id, row.session_index) == (SUBJECT, idp.session_index)
    assert row.session_key == signed_in.session.session_key


def test_our_logout_request_is_signed_and_the_answer_checked(signed_in, saml_provider, idp):
    location = logout_location(signed_in)
    assert location.startswith(SLO_URL) and "Signature=" in location
    assert not SamlSession.objects.exists()
    request = idp.read_logout_request(location)
    assert request.name_id.text == SUBJECT
    assert [index.text for index in request.session_index] == [idp.session_index]
    assert SamlLogoutRequest.objects.filter(request_id=request.id).exists()
    response = signed_in.get(sls(saml_provider), idp.logout_response(location))
    assert (response.status_code, response["Location"]) == (302, "/")
    assert SamlLogoutRequest.objects.get(request_id=request.id).answered_at is not None


def test_an_unsigned_logout_response_is_refused(signed_in, saml_provider, idp):
    location = logout_location(signed_in)
    response = signed_in.get(sls(saml_provider), idp.logout_response(location, sign=False))
    refused(response, "SAMLResponse not signed", LOGOUT_REFUSED)
    assert "_auth_user_id" not in signed_in.session  # ours ended in any case


def test_a_logout_response_signed_by_another_key_is_refused(signed_in, saml_provider, idp):
    location = logout_location(signed_in)
    forger = impostor(signed_in, saml_provider)
    response = signed_in.get(sls(saml_provider), forger.logout_response(location))
    refused(response, "signature does not verify", LOGOUT_REFUSED)


def test_a_tampered_logout_response_is_refused(signed_in, saml_provider, idp):
    """A genuine signature over another message: the status Success swapped in."""
    location = logout_location(signed_in)
    denied = idp.logout_response(location, success=False)
    success = idp.logout_response(location)
    forged = {**denied, "SAMLResponse": success["SAMLResponse"]}
    response = signed_in.get(sls(saml_provider), forged)
    refused(response, "signature does not verify", LOGOUT_REFUSED)


def test_a_logout_response_to_another_request_is_refused(signed_in, saml_provider, idp):
    location = logout_location(signed_in)
    answer = idp.logout_response(location, in_response_to="id-we-never-sent")
    refused(signed_in.get(sls(saml_provider), answer), "not a request we sent", LOGOUT_REFUSED)


def test_a_logout_response_is_taken_once(signed_in, saml_provider, idp):
    location = logout_location(signed_in)
    answer = idp.logout_response(location)
    assert signed_in.get(sls(saml_provider), answer).status_code == 302
    refused(signed_in.get(sls(saml_provider), answer), "not a request we sent", LOGOUT_REFUSED)


def test_a_logout_response_for_another_destination_is_refused(signed_in, saml_provider, idp):
    location = logout_location(signed_in)
    answer = idp.logout_response(location, destination="https://other-sp.example/sls")
    refused(signed_in.get(sls(saml_provider), answer), "not our logout service", LOGOUT_REFUSED)


def test_a_failed_logout_at_the_idp_is_said(signed_in, saml_provider, idp):
    location = logout_location(signed_in)
    answer = idp.logout_response(location, success=False)
    refused(signed_in.get(sls(saml_provider), answer), "LogoutResponse", LOGOUT_REFUSED)
    assert "_auth_user_id" not in signed_in.session


# IdP-initiated


def test_the_idp_ends_our_session_and_gets_a_signed_answer(signed_in, saml_provider, idp, sp_keys):
    logout = idp.logout_request(sls_url(saml_provider), SUBJECT, relay_state="back-to-idp")
    # Front-channel: the IdP sends the browser, but any browser may carry it: the
    # session is ended on the server.
    response = Client().get(sls(saml_provider), logout)
    assert response.status_code == 302
    assert response["Location"].startswith(SLO_URL)
    answer = idp.check_logout_response(response["Location"], sp_keys[1])
    assert answer.status.status_code.value == "urn:oasis:names:tc:SAML:2.0:status:Success"
    assert answer.destination == SLO_URL
    assert "RelayState=back-to-idp" in response["Location"]
    assert "_auth_user_id" not in signed_in.session
    assert not SamlSession.objects.exists()


def test_the_idp_ends_the_session_of_the_browser_it_sends(signed_in, saml_provider, idp):
    logout = idp.logout_request(sls_url(saml_provider), SUBJECT)
    key = signed_in.session.session_key
    assert signed_in.get(sls(saml_provider), logout).status_code == 302
    assert "_auth_user_id" not in signed_in.session
    assert not Session.objects.filter(session_key=key).exists()


def test_another_session_index_leaves_this_session(signed_in, saml_provider, idp):
    logout = idp.logout_request(
        sls_url(saml_provider), SUBJECT, session_indexes=["another-idp-session"]
    )
    assert Client().get(sls(saml_provider), logout).status_code == 302
    assert "_auth_user_id" in signed_in.session


def test_without_a_session_index_every_session_of_the_name_id_ends(
    signed_in, saml_provider, idp, imported
):
    second = Client()
    assert saml_sign_in(second, saml_provider, idp).status_code == 302
    assert SamlSession.objects.count() == 2
    logout = idp.logout_request(sls_url(saml_provider), SUBJECT, session_indexes=())
    assert Client().get(sls(saml_provider), logout).status_code == 302
    assert "_auth_user_id" not in signed_in.session
    assert "_auth_user_id" not in second.session


def assert_still_signed_in(client, user):
    assert client.session["_auth_user_id"] == str(user.pk)
    assert SamlSession.objects.count() == 1


def test_an_unsigned_logout_request_ends_nothing(signed_in, saml_provider, idp, imported):
    logout = idp.logout_request(sls_url(saml_provider), SUBJECT, sign=False)
    response = signed_in.get(sls(saml_provider), logout)
    refused(response, "SAMLRequest not signed", LOGOUT_REQUEST_REFUSED)
    assert_still_signed_in(signed_in, imported)


def test_a_logout_request_signed_by_another_key_ends_nothing(
    signed_in, saml_provider, idp, imported
):
    forger = impostor(signed_in, saml_provider)
    logout = forger.logout_request(
        sls_url(saml_provider), SUBJECT, session_indexes=[idp.session_index]
    )
    response = signed_in.get(sls(saml_provider), logout)
    refused(response, "signature does not verify", LOGOUT_REQUEST_REFUSED)
    assert_still_signed_in(signed_in, imported)


def test_a_tampered_logout_request_ends_nothing(signed_in, saml_provider, idp, imported):
    """A genuine signature (for someone else's logout) over our person's NameID."""
    genuine = idp.logout_request(sls_url(saml_provider), "someone-else")
    ours = idp.logout_request(sls_url(saml_provider), SUBJECT, sign=False)
    forged = {**genuine, "SAMLRequest": ours["SAMLRequest"]}
    response = signed_in.get(sls(saml_provider), forged)
    refused(response, "signature does not verify", LOGOUT_REQUEST_REFUSED)
    assert_still_signed_in(signed_in, imported)


def test_a_logout_request_from_another_idp_ends_nothing(signed_in, saml_provider, idp, imported):
    other = impostor(signed_in, saml_provider, entity_id="https://idp.elsewhere.test/saml")
    logout = other.logout_request(
        sls_url(saml_provider), SUBJECT, session_indexes=[idp.session_index]
    )
    response = signed_in.get(sls(saml_provider), logout)
    refused(response, "LogoutRequest from", LOGOUT_REQUEST_REFUSED)
    assert_still_signed_in(signed_in, imported)


def test_a_logout_request_for_another_destination_ends_nothing(
    signed_in, saml_provider, idp, imported
):
    logout = idp.logout_request(
        sls_url(saml_provider), SUBJECT, destination="https://other-sp.example/sls"
    )
    response = signed_in.get(sls(saml_provider), logout)
    refused(response, "refused", LOGOUT_REQUEST_REFUSED)
    assert_still_signed_in(signed_in, imported)


def test_a_replayed_logout_request_is_refused(signed_in, saml_provider, idp, imported):
    logout = idp.logout_request(sls_url(saml_provider), SUBJECT, session_indexes=())
    assert Client().get(sls(saml_provider), logout).status_code == 302
    again = Client()
    assert saml_sign_in(again, saml_provider, idp, attributes=ATTRIBUTES).status_code == 302
    refused(again.get(sls(saml_provider), logout), "replayed", LOGOUT_REQUEST_REFUSED)
    assert_still_signed_in(again, imported)


def test_a_post_to_the_logout_service_is_not_allowed(signed_in, saml_provider, idp, imported):
    logout = idp.logout_request(sls_url(saml_provider), SUBJECT)
    assert signed_in.post(sls(saml_provider), logout).status_code == 405
    assert_still_signed_in(signed_in, imported)
