"""A SAML 2.0 identity provider built with pysaml2 inside the test process: it reads our
AuthnRequest (HTTP-Redirect), and answers with a signed assertion (HTTP-POST) for the
person the test chooses; the tests then bend that answer (unsigned, tampered, wrapped,
for another audience, replayed)."""

from __future__ import annotations

import base64
import datetime
import os
import re
import tempfile
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.s_utils import success_status_factory
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.samlp import (
    STATUS_REQUEST_DENIED,
    STATUS_RESPONDER,
    LogoutResponse,
    Status,
    StatusCode,
)
from saml2.server import Server
from saml2.sigver import verify_redirect_signature

IDP_ENTITY_ID = "https://idp.huddinge.test/saml"
SSO_URL = "https://idp.huddinge.test/sso"
SLO_URL = "https://idp.huddinge.test/slo"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def query(location: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def key_pair(common_name: str) -> tuple[str, str]:
    """A private key and a self-signed certificate, PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return (
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode(),
        cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


class TestIdP:
    def __init__(
        self,
        sp_metadata: str,
        *,
        entity_id: str = IDP_ENTITY_ID,
        keys=None,
        sso_url: str = SSO_URL,
        slo_url: str = SLO_URL,
    ):
        self.folder = tempfile.mkdtemp(prefix="test-idp-")
        key, cert = keys or key_pair("test idp")
        self.key_file = os.path.join(self.folder, "idp.key")
        self.cert_file = os.path.join(self.folder, "idp.crt")
        with open(self.key_file, "w") as handle:
            handle.write(key)
        with open(self.cert_file, "w") as handle:
            handle.write(cert)
        self.entity_id = entity_id
        self.session_index = None
        self.config = IdPConfig().load(
            {
                "entityid": entity_id,
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "metadata": {"inline": [sp_metadata]},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(slo_url, BINDING_HTTP_REDIRECT)],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "policy": {"default": {"lifetime": {"minutes": 5}}},
                    }
                },
            }
        )
        self.server = Server(config=self.config)

    def metadata(self) -> str:
        return create_metadata_string(None, config=self.config, sign=False).decode()

    def read_request(self, location: str):
        """The AuthnRequest in our redirect to the IdP."""
        query = parse_qs(urlsplit(location).query)
        return self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)

    def answer(
        self,
        location: str,
        *,
        subject: str = "saml-subject-1",
        attributes: dict | None = None,
        sign_assertion: bool = True,
        audience: str | None = None,
        in_response_to: str | None = None,
        encrypt_assertion: bool = False,
        encrypt_to: str | None = None,
        read_with: TestIdP | None = None,
    ) -> tuple[str, str]:
        """(the ACS URL, the base64 SAMLResponse) for the request in `location` (read by
        `read_with`, when the request went to another IdP)."""
        request = (read_with or self).read_request(location).message
        response = self.server.create_authn_response(
            identity=attributes or {},
            in_response_to=in_response_to or request.id,
            destination=request.assertion_consumer_service_url,
            sp_entity_id=audience or request.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
            sign_assertion=sign_assertion,
            sign_response=False,
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            encrypt_assertion=encrypt_assertion,
            # None: the encryption certificate in our SP's metadata.
            encrypt_cert_assertion=encrypt_to,
        )
        # pysaml2 picks the SessionIndex; remembered for a later LogoutRequest.
        index = re.search(r'SessionIndex="([^"]+)"', str(response))
        self.session_index = index.group(1) if index else None
        return request.assertion_consumer_service_url, base64.b64encode(
            str(response).encode()
        ).decode()

    # Single logout (HTTP-Redirect both ways)

    def _redirect(self, message, destination: str, *, kind: str, sign: bool, relay_state=""):
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(message),
            destination,
            relay_state=relay_state,
            response=kind == "SAMLResponse",
            sign=sign,
            sigalg=RSA_SHA256 if sign else None,
        )
        return query(dict(info["headers"])["Location"])

    def logout_request(
        self,
        sls_url: str,
        name_id: str,
        *,
        session_indexes=None,
        sign: bool = True,
        destination: str | None = None,
        relay_state: str = "",
    ) -> dict:
        """An IdP-initiated LogoutRequest, as the query for our logout service; by default
        for the session of the last answer."""
        _id, message = self.server.create_logout_request(
            destination or sls_url,
            self.entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
            session_indexes=[self.session_index]
            if session_indexes is None
            else list(session_indexes) or None,
            sign=False,
        )
        return self._redirect(
            message, sls_url, kind="SAMLRequest", sign=sign, relay_state=relay_state
        )

    def read_logout_request(self, location: str):
        """Our LogoutRequest in the redirect to the IdP's logout service."""
        return self.server.parse_logout_request(
            query(location)["SAMLRequest"], BINDING_HTTP_REDIRECT
        ).message

    def logout_response(
        self,
        location: str,
        *,
        sign: bool = True,
        in_response_to: str | None = None,
        destination: str | None = None,
        success: bool = True,
    ) -> dict:
        """The IdP's LogoutResponse to our LogoutRequest in `location`, as the query for
        our logout service."""
        request = self.read_logout_request(location)
        sls = self.server.metadata.single_logout_service(
            request.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        status = (
            success_status_factory()
            if success
            else Status(
                status_code=StatusCode(
                    value=STATUS_RESPONDER, status_code=StatusCode(value=STATUS_REQUEST_DENIED)
                )
            )
        )
        response = self.server._status_response(
            LogoutResponse,
            self.server._issuer(),
            status,
            sign=False,
            destination=destination or sls,
            in_response_to=in_response_to or request.id,
        )
        return self._redirect(response, sls, kind="SAMLResponse", sign=sign)

    def check_logout_response(self, location: str, sp_cert: str):
        """Our LogoutResponse: signed (query string) with our SP key; its message."""
        params = query(location)
        body = "".join(line for line in sp_cert.splitlines() if "-----" not in line)
        assert verify_redirect_signature(params, self.server.sec.sec_backend, body), (
            "our LogoutResponse's signature does not verify"
        )
        return self.server.parse_logout_request_response(
            params["SAMLResponse"], BINDING_HTTP_REDIRECT
        ).response


def federation_metadata(
    idps, keys: tuple[str, str], *, valid_hours: int = 24, sign: bool = True
) -> str:
    """A federation's aggregate (an EntitiesDescriptor of the IdPs' descriptors) with a
    validUntil, signed with the federation's key, as Sambi, Skolfederation and Fedkom
    publish theirs."""
    from saml2.config import Config
    from saml2.metadata import entities_descriptor, entity_descriptor
    from saml2.sigver import security_context

    folder = tempfile.mkdtemp(prefix="test-federation-")
    key_file, cert_file = os.path.join(folder, "fed.key"), os.path.join(folder, "fed.crt")
    with open(key_file, "w") as handle:
        handle.write(keys[0])
    with open(cert_file, "w") as handle:
        handle.write(keys[1])
    config = Config().load(
        {
            "entityid": "https://federation.test/metadata",
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": key_file,
            "cert_file": cert_file,
        }
    )
    descriptors = [entity_descriptor(idp.config) for idp in idps]
    entities, signed = entities_descriptor(
        descriptors, valid_hours, "https://federation.test", None, sign, security_context(config)
    )
    return signed if sign else str(entities)
