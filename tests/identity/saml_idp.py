"""A SAML 2.0 identity provider built with pysaml2 inside the test process: it reads our
AuthnRequest (HTTP-Redirect), and answers with a signed assertion (HTTP-POST) for the
person the test chooses; the tests then bend that answer (unsigned, tampered, wrapped,
for another audience, replayed)."""

from __future__ import annotations

import base64
import datetime
import os
import tempfile
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

IDP_ENTITY_ID = "https://idp.huddinge.test/saml"
SSO_URL = "https://idp.huddinge.test/sso"
SLO_URL = "https://idp.huddinge.test/slo"


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
    def __init__(self, sp_metadata: str, *, entity_id: str = IDP_ENTITY_ID, keys=None):
        self.folder = tempfile.mkdtemp(prefix="test-idp-")
        key, cert = keys or key_pair("test idp")
        self.key_file = os.path.join(self.folder, "idp.key")
        self.cert_file = os.path.join(self.folder, "idp.crt")
        with open(self.key_file, "w") as handle:
            handle.write(key)
        with open(self.cert_file, "w") as handle:
            handle.write(cert)
        self.entity_id = entity_id
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
                            "single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(SLO_URL, BINDING_HTTP_REDIRECT)],
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
    ) -> tuple[str, str]:
        """(the ACS URL, the base64 SAMLResponse) for the request in `location`."""
        request = self.read_request(location).message
        response = self.server.create_authn_response(
            identity=attributes or {},
            in_response_to=in_response_to or request.id,
            destination=request.assertion_consumer_service_url,
            sp_entity_id=audience or request.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
            sign_assertion=sign_assertion,
            sign_response=False,
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
        )
        return request.assertion_consumer_service_url, base64.b64encode(
            str(response).encode()
        ).decode()
