"""SAML 2.0 Web SSO as a service provider, one pysaml2 client per provider (built from
its row: IdP metadata inline or fetched by us, our entity id, our key pair).

What pysaml2 checks for us (configured here): the assertion's XML signature against the
IdP's metadata certificate (`want_assertions_signed`; an unsigned, tampered or wrapped
assertion fails), exactly one assertion per response, the audience restriction (our
entity id), the conditions' time window (with `accepted_time_diff` of clock skew), the
destination and recipient, and `InResponseTo` against the requests we sent
(`allow_unsolicited` off). What we check ourselves: that the request was sent by this
browser, that it is answered once, and that an assertion id is never accepted twice.

The IdP posts its answer from its own site, so the session cookie (SameSite=Lax) does not
come with it: outstanding requests live in the database (SamlRequest), and the verified
answer is picked up by a GET back to us that does carry the cookie (`take_answer`)."""

from __future__ import annotations

import calendar
import hashlib
import logging
import os
import secrets
import tempfile
from datetime import UTC, datetime, timedelta

import requests
from defusedxml import ElementTree
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.mdstore import MetaDataFile, MetadataStore, TooOld
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.samlp import STATUS_SUCCESS
from saml2.sigver import SignatureError, security_context, verify_redirect_signature
from saml2.time_util import str_to_time

from .errors import SignInRefused
from .models import (
    IdentityProvider,
    SamlLogoutRequest,
    SamlRequest,
    SamlSession,
    SeenAssertion,
)
from .provisioning import VerifiedIdentity

logger = logging.getLogger(__name__)

XMLSEC_BINARY = "/usr/bin/xmlsec1"
CLOCK_SKEW_SECONDS = 60
REQUEST_MAX_AGE = timedelta(minutes=10)
SESSION_BROWSER = "identity_saml_browser"
HTTP_TIMEOUT = 10
METADATA_TTL = 3600
DSIG = "http://www.w3.org/2000/09/xmldsig#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
LOGOUT_REQUEST_MAX_AGE = timedelta(days=1)  # pysaml2 accepts an IssueInstant a day off


class MetadataRefused(SignInRefused):
    """The IdP's metadata is not to be trusted (signature, expiry) or not usable. The
    message says so, for the administrator a person will tell; a 403: we refuse to act
    on it, whatever the person does."""

    def __init__(self, provider: IdentityProvider, reason: str):
        super().__init__(
            f"metadata of {provider.slug} refused: {reason}",
            _(
                "Signing in with %(name)s is not possible right now: the identity "
                "provider's metadata could not be verified. Please tell the administrator."
            )
            % {"name": provider.display_name},
            status=403,
        )
        self.detail = reason


def _metadata_xml(provider: IdentityProvider, *, fresh: bool = False) -> str:
    if provider.saml_metadata_xml.strip():
        return provider.saml_metadata_xml
    key = (
        "identity:saml:metadata:" + hashlib.sha256(provider.saml_metadata_url.encode()).hexdigest()
    )
    xml = None if fresh else cache.get(key)
    if xml is None:
        try:
            response = requests.get(provider.saml_metadata_url, timeout=HTTP_TIMEOUT)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise SignInRefused(f"IdP metadata unavailable: {exc}", status=502) from exc
        xml = response.text
        cache.set(key, xml, METADATA_TTL)
    return xml


def _url(request, name: str, provider: IdentityProvider) -> str:
    return request.build_absolute_uri(reverse(name, args=[provider.slug]))


def entity_id(request, provider: IdentityProvider) -> str:
    return provider.saml_sp_entity_id or _url(request, "identity:saml_metadata", provider)


def _write(directory: str, name: str, content: str) -> str:
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.chmod(path, 0o600)
    return path


def _signature_covers_the_document(provider: IdentityProvider, xml: str) -> None:
    """xmlsec1 verified the first ds:Signature in document order; it must be the document
    element's own, with one reference, to the document element."""
    root = ElementTree.fromstring(xml.encode())
    first = next(root.iter(f"{{{DSIG}}}Signature"), None)
    if first is None:
        raise MetadataRefused(provider, "not signed, and a signing certificate is set")
    references = first.findall(f"{{{DSIG}}}SignedInfo/{{{DSIG}}}Reference")
    if (
        first not in list(root)
        or len(references) != 1
        or references[0].get("URI") not in ("", f"#{root.get('ID')}")
    ):
        raise MetadataRefused(provider, "the signature does not cover the whole document")


def load_metadata(config, provider: IdentityProvider, xml: str, folder: str) -> MetadataStore:
    """The IdP's metadata as pysaml2's store, checked by pysaml2 (`MetaDataFile` with the
    metadata signing certificate and our security context): an EntitiesDescriptor past
    its validUntil is refused (an EntityDescriptor past its own is dropped, refused here
    too); with a certificate, the XML signature must verify with it. Two checks pysaml2
    leaves to us: with a certificate, unsigned metadata passes its check (so we require a
    signature), and the signature xmlsec1 verified (the first in the document) must be
    the document element's own (a signed descriptor tucked inside an unsigned one,
    signature wrapping, is refused)."""
    path = _write(folder, "idp-metadata.xml", xml)
    cert = provider.saml_metadata_certificate.strip()
    cert_path = _write(folder, "metadata-signer.crt", cert + "\n") if cert else None
    store = MetadataStore(config.attribute_converters, config)
    config.metadata = store  # the security context reads it
    metadata = MetaDataFile(
        config.attribute_converters, path, cert=cert_path, security=security_context(config)
    )
    try:
        metadata.load()
    except TooOld as exc:
        raise MetadataRefused(provider, f"expired: {exc}") from exc
    except SignatureError as exc:
        raise MetadataRefused(provider, f"signature does not verify: {exc}") from exc
    except Exception as exc:  # not XML, not metadata, an unreadable certificate
        raise MetadataRefused(provider, f"unreadable: {exc!r}") from exc
    if metadata.to_old:
        raise MetadataRefused(provider, f"expired: {', '.join(metadata.to_old)}")
    if cert_path:
        _signature_covers_the_document(provider, xml)
    store.metadata[path] = metadata
    return store


def _choose_idp(provider: IdentityProvider, store: MetadataStore) -> str:
    idps = list(store.identity_providers())
    wanted = provider.saml_idp_entity_id.strip()
    if wanted:
        if wanted not in idps:
            raise MetadataRefused(provider, f"no IdP {wanted!r} in the metadata")
        return wanted
    if len(idps) != 1:
        raise MetadataRefused(
            provider, f"the metadata names {len(idps)} IdPs and no IdP entity id is set"
        )
    return idps[0]


def metadata_problem(provider: IdentityProvider) -> str | None:
    """What is wrong with the provider's IdP metadata (fetched afresh from its URL), for
    the admin form; None when it would be used."""
    folder = tempfile.TemporaryDirectory(prefix="lms-saml-")
    try:
        config = SPConfig().load(
            {"entityid": "urn:lms:metadata-check", "xmlsec_binary": XMLSEC_BINARY}
        )
        store = load_metadata(config, provider, _metadata_xml(provider, fresh=True), folder.name)
        _choose_idp(provider, store)
    except MetadataRefused as exc:
        return exc.detail
    except SignInRefused as exc:
        return exc.reason
    finally:
        folder.cleanup()
    return None


class _Client:
    """A pysaml2 client for `provider`; its key files live in a private temporary folder
    for as long as the client is used (xmlsec1 reads keys from files)."""

    def __init__(self, request, provider: IdentityProvider, *, with_metadata: bool = True):
        self.provider = provider
        self.folder = tempfile.TemporaryDirectory(prefix="lms-saml-")
        has_keys = bool(provider.saml_sp_private_key.strip() and provider.saml_sp_certificate)
        config = {
            "entityid": entity_id(request, provider),
            "xmlsec_binary": XMLSEC_BINARY,
            "accepted_time_diff": CLOCK_SKEW_SECONDS,
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [
                            (_url(request, "identity:saml_acs", provider), BINDING_HTTP_POST)
                        ],
                        "single_logout_service": [
                            (_url(request, "identity:saml_sls", provider), BINDING_HTTP_REDIRECT)
                        ],
                    },
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "allow_unsolicited": False,
                    "authn_requests_signed": has_keys,
                    "logout_requests_signed": has_keys,
                    "name_id_format": NAMEID_FORMAT_PERSISTENT,
                    "name_id_format_allow_create": True,
                }
            },
        }
        if has_keys:
            key = _write(self.folder.name, "sp.key", provider.saml_sp_private_key)
            cert = _write(self.folder.name, "sp.crt", provider.saml_sp_certificate)
            config.update(
                key_file=key,
                cert_file=cert,
                encryption_keypairs=[{"key_file": key, "cert_file": cert}],
            )
        try:
            self.config = SPConfig().load(config)
            if with_metadata:
                self.config.metadata = load_metadata(
                    self.config, provider, _metadata_xml(provider), self.folder.name
                )
            self.client = Saml2Client(config=self.config)
        except SignInRefused:
            self.folder.cleanup()
            raise
        except Exception as exc:  # unusable keys: pysaml2 raises many kinds
            self.folder.cleanup()
            raise SignInRefused(f"SAML configuration unusable: {exc!r}", status=502) from exc

    def idp_entity_id(self) -> str:
        return _choose_idp(self.provider, self.client.metadata)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.folder.cleanup()


def _browser(request) -> str:
    value = request.session.get(SESSION_BROWSER)
    if not value:
        value = request.session[SESSION_BROWSER] = secrets.token_urlsafe(32)
    return hashlib.sha256(value.encode()).hexdigest()


def start(request, provider: IdentityProvider, *, next_url: str) -> str:
    """Send an AuthnRequest (HTTP-Redirect); the URL to send the browser to."""
    with _Client(request, provider) as saml:
        try:
            request_id, info = saml.client.prepare_for_authenticate(
                entityid=saml.idp_entity_id(), binding=BINDING_HTTP_REDIRECT
            )
        except SignInRefused:
            raise
        except Exception as exc:
            raise SignInRefused(f"AuthnRequest not possible: {exc!r}", status=502) from exc
    SamlRequest.objects.filter(created_at__lt=timezone.now() - REQUEST_MAX_AGE * 6).delete()
    SamlRequest.objects.create(
        provider=provider, request_id=request_id, browser=_browser(request), next_url=next_url
    )
    return dict(info["headers"])["Location"]


def _identity(provider: IdentityProvider, response) -> VerifiedIdentity:
    attributes = response.ava or {}

    def first(name: str) -> str:
        if not name:
            return ""
        values = attributes.get(name) or []
        value = values[0] if isinstance(values, list) and values else values
        return value.strip() if isinstance(value, str) else ""

    if provider.attr_subject:
        subject = first(provider.attr_subject)
    else:
        name_id = response.name_id
        if name_id is None or name_id.format not in (None, NAMEID_FORMAT_PERSISTENT):
            raise SignInRefused(f"NameID not persistent: {getattr(name_id, 'format', None)}")
        subject = (name_id.text or "").strip()
    if not subject:
        raise SignInRefused("no subject in the assertion")
    return VerifiedIdentity(
        subject=subject,
        email=first(provider.attr_email),
        employee_number=first(provider.attr_employee_number),
        given_name=first(provider.attr_given_name),
        family_name=first(provider.attr_family_name),
        unit=first(provider.attr_unit),
    )


def accept_response(request, provider: IdentityProvider) -> str:
    """Verify the posted SAMLResponse; record what it said for the finishing step.
    Returns the one-time token that step needs."""
    posted = request.POST.get("SAMLResponse", "")
    if not posted:
        raise SignInRefused("no SAMLResponse")
    pending = SamlRequest.objects.filter(
        provider=provider,
        answered_at__isnull=True,
        created_at__gte=timezone.now() - REQUEST_MAX_AGE,
    )
    with _Client(request, provider) as saml:
        acs = _url(request, "identity:saml_acs", provider)
        outstanding = {row.request_id: acs for row in pending.order_by("-created_at")[:200]}
        try:
            response = saml.client.parse_authn_request_response(
                posted, BINDING_HTTP_POST, outstanding=outstanding
            )
        except Exception as exc:  # every refusal pysaml2 raises (signature, time, audience...)
            raise SignInRefused(f"SAML response refused: {exc!r}") from exc
        if response is None:
            raise SignInRefused("SAML response unreadable")
        assertion = response.assertion
        if assertion is None:
            # pysaml2 leaves it out, without an error, when an EncryptedAssertion cannot
            # be decrypted with our key (encrypted to another SP's certificate).
            raise SignInRefused("no assertion we can read (encrypted to another key?)")
        # With a federation's aggregate, pysaml2 verifies against whichever IdP in it
        # issued the assertion: only the one this provider names may sign people in.
        idp = saml.idp_entity_id()
        issuer = (assertion.issuer.text or "").strip() if assertion.issuer else ""
        if issuer != idp or response.issuer() not in ("", idp):
            raise SignInRefused(f"issued by {issuer!r}, not by {idp!r}")
        identity = _identity(provider, response)
        session_index = None
        if assertion is not None and assertion.authn_statement:
            session_index = assertion.authn_statement[0].session_index
        name_id = response.name_id
    not_on_or_after = timezone.now() + REQUEST_MAX_AGE
    conditions = getattr(assertion, "conditions", None)
    if conditions is not None and conditions.not_on_or_after:
        not_on_or_after = datetime.fromtimestamp(
            calendar.timegm(str_to_time(conditions.not_on_or_after)), tz=UTC
        ) + timedelta(seconds=CLOCK_SKEW_SECONDS)
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            SeenAssertion.objects.filter(not_on_or_after__lt=timezone.now()).delete()
            SeenAssertion.objects.create(
                provider=provider, assertion_id=assertion.id, not_on_or_after=not_on_or_after
            )
            answered = pending.filter(request_id=response.in_response_to).update(
                answered_at=timezone.now(),
                finish_token=token,
                identity={
                    **identity.__dict__,
                    "name_id": name_id.text if name_id is not None else "",
                    "name_id_format": (name_id.format or "") if name_id is not None else "",
                    "name_qualifier": (name_id.name_qualifier or "") if name_id else "",
                    "sp_name_qualifier": (name_id.sp_name_qualifier or "") if name_id else "",
                    "session_index": session_index or "",
                },
            )
            if answered != 1:
                raise SignInRefused(f"request {response.in_response_to!r} answered before")
    except IntegrityError as exc:
        raise SignInRefused(f"assertion {assertion.id!r} replayed") from exc
    return token


def take_answer(request):
    """The verified answer the ACS recorded, for the browser that sent the request (once).
    Returns (provider, identity, session info for single logout, next URL)."""
    token = request.GET.get("t", "")
    if not token:
        raise SignInRefused("no answer token")
    with transaction.atomic():
        row = (
            SamlRequest.objects.select_for_update()
            .select_related("provider")
            .filter(finish_token=token, answered_at__gte=timezone.now() - REQUEST_MAX_AGE)
            .first()
        )
        if row is None:
            raise SignInRefused("unknown or used answer token")
        if not secrets.compare_digest(row.browser, _browser(request)):
            raise SignInRefused("answer taken by another browser than the one that asked")
        row.finish_token = ""
        row.save(update_fields=["finish_token"])
    data = dict(row.identity or {})
    session_info = {
        key: data.pop(key, "")
        for key in (
            "name_id",
            "name_id_format",
            "name_qualifier",
            "sp_name_qualifier",
            "session_index",
        )
    }
    if not row.provider.is_active:
        raise SignInRefused("provider deactivated", status=404)
    return row.provider, VerifiedIdentity(**data), session_info, row.next_url


def sp_metadata(request, provider: IdentityProvider) -> str:
    with _Client(request, provider, with_metadata=False) as saml:
        return create_metadata_string(None, config=saml.config, sign=False).decode()


def logout_url(request, provider: IdentityProvider, info: dict) -> str | None:
    """A LogoutRequest (HTTP-Redirect) to the IdP's single logout service, or None when
    its metadata names none."""
    with _Client(request, provider) as saml:
        idp = saml.idp_entity_id()
        try:
            destinations = saml.client.metadata.single_logout_service(
                idp, BINDING_HTTP_REDIRECT, "idpsso"
            )
        except Exception:  # metadata without the element: no single logout
            destinations = []
        if not destinations or not info.get("name_id"):
            return None
        destination = destinations[0]["location"]
        name_id = NameID(
            text=info["name_id"],
            format=info.get("name_id_format") or None,
            name_qualifier=info.get("name_qualifier") or None,
            sp_name_qualifier=info.get("sp_name_qualifier") or None,
        )
        try:
            request_id, logout_request = saml.client.create_logout_request(
                destination,
                idp,
                name_id=name_id,
                session_indexes=[info["session_index"]] if info.get("session_index") else None,
                sign=False,
            )
            sign = saml.config.logout_requests_signed
            http = saml.client.apply_binding(
                BINDING_HTTP_REDIRECT,
                str(logout_request),
                destination,
                relay_state="",
                sign=sign,
                sigalg=RSA_SHA256 if sign else None,
            )
        except Exception as exc:
            raise SignInRefused(f"logout request not possible: {exc!r}") from exc
    SamlLogoutRequest.objects.filter(created_at__lt=timezone.now() - REQUEST_MAX_AGE * 6).delete()
    SamlLogoutRequest.objects.create(provider=provider, request_id=request_id)
    return dict(http["headers"])["Location"]


LOGOUT_REFUSED = _(
    "You are logged out of the learning platform, but the identity provider's answer "
    "could not be verified: close the browser to be sure you are logged out there too."
)
LOGOUT_REQUEST_REFUSED = _(
    "The logout request could not be verified, so nobody was logged out. Log out from "
    "the learning platform's own menu."
)


def _check_redirect_signature(saml: _Client, request, kind: str, issuer: str, message) -> None:
    """The HTTP-Redirect binding signs the query string (SAMLRequest or SAMLResponse,
    RelayState, SigAlg), not the XML: required, and checked by pysaml2 against the
    signing certificates the IdP's metadata lists."""
    sigalg, signature = request.GET.get("SigAlg"), request.GET.get("Signature")
    if not sigalg or not signature:
        raise SignInRefused(f"{kind} not signed", message)
    signed = {kind: request.GET[kind], "SigAlg": sigalg, "Signature": signature}
    if "RelayState" in request.GET:
        signed["RelayState"] = request.GET["RelayState"]
    certs = saml.client.metadata.certs(issuer, "idpsso", "signing")
    try:
        verified = any(
            verify_redirect_signature(signed, saml.client.sec.sec_backend, cert)
            for _name, cert in certs
        )
    except Exception as exc:  # an unknown SigAlg, base64 that is not
        raise SignInRefused(f"{kind} signature unreadable: {exc!r}", message) from exc
    if not verified:
        raise SignInRefused(f"{kind} signature does not verify", message)


def _check_destination(request, provider: IdentityProvider, destination, kind, message):
    if destination != _url(request, "identity:saml_sls", provider):
        raise SignInRefused(f"{kind} for {destination!r}, not our logout service", message)


def accept_logout_response(request, provider: IdentityProvider) -> None:
    """The IdP's LogoutResponse to our LogoutRequest (HTTP-Redirect): signed by the IdP,
    for our logout service, answering a request we sent (once, within ten minutes), with
    status Success. Our session ended before the request went out, whatever this says."""
    from saml2.response import LogoutResponse

    with _Client(request, provider) as saml:
        idp = saml.idp_entity_id()
        try:
            response = saml.client._parse_response(
                request.GET["SAMLResponse"],
                LogoutResponse,
                "single_logout_service",
                BINDING_HTTP_REDIRECT,
                asynchop=False,
            )
        except Exception as exc:
            raise SignInRefused(f"LogoutResponse unreadable: {exc!r}", LOGOUT_REFUSED) from exc
        if response is None or response.response is None:
            raise SignInRefused("LogoutResponse unreadable", LOGOUT_REFUSED)
        if response.issuer() != idp:
            raise SignInRefused(f"LogoutResponse from {response.issuer()!r}", LOGOUT_REFUSED)
        _check_redirect_signature(saml, request, "SAMLResponse", idp, LOGOUT_REFUSED)
        message = response.response
        _check_destination(request, provider, message.destination, "LogoutResponse", LOGOUT_REFUSED)
        status = message.status.status_code.value if message.status else None
        answered = SamlLogoutRequest.objects.filter(
            provider=provider,
            request_id=message.in_response_to or "",
            answered_at__isnull=True,
            created_at__gte=timezone.now() - REQUEST_MAX_AGE,
        ).update(answered_at=timezone.now())
        if answered != 1:
            raise SignInRefused(
                f"LogoutResponse to {message.in_response_to!r}: not a request we sent",
                LOGOUT_REFUSED,
            )
        if status != STATUS_SUCCESS:
            raise SignInRefused(f"LogoutResponse status {status!r}", LOGOUT_REFUSED)


def accept_logout_request(request, provider: IdentityProvider):
    """An IdP-initiated LogoutRequest (HTTP-Redirect): signed by the IdP, for our logout
    service, never seen before. Returns (the Django session keys to end, the URL of our
    signed LogoutResponse at the IdP)."""
    from saml2.s_utils import success_status_factory

    with _Client(request, provider) as saml:
        idp = saml.idp_entity_id()
        try:
            parsed = saml.client.parse_logout_request(
                request.GET["SAMLRequest"], BINDING_HTTP_REDIRECT
            )
        except Exception as exc:
            raise SignInRefused(f"LogoutRequest refused: {exc!r}", LOGOUT_REQUEST_REFUSED) from exc
        message = getattr(parsed, "message", None)
        if message is None:
            raise SignInRefused("LogoutRequest unreadable", LOGOUT_REQUEST_REFUSED)
        issuer = (message.issuer.text or "").strip() if message.issuer else ""
        if issuer != idp:
            raise SignInRefused(f"LogoutRequest from {issuer!r}", LOGOUT_REQUEST_REFUSED)
        _check_redirect_signature(saml, request, "SAMLRequest", idp, LOGOUT_REQUEST_REFUSED)
        _check_destination(
            request, provider, message.destination, "LogoutRequest", LOGOUT_REQUEST_REFUSED
        )
        name_id = (message.name_id.text or "").strip() if message.name_id else ""
        if not name_id:
            raise SignInRefused("LogoutRequest names no NameID", LOGOUT_REQUEST_REFUSED)
        indexes = [index.text for index in message.session_index or [] if index.text]
        try:
            with transaction.atomic():
                SeenAssertion.objects.create(
                    provider=provider,
                    assertion_id=f"LogoutRequest:{message.id}",
                    not_on_or_after=timezone.now() + LOGOUT_REQUEST_MAX_AGE,
                )
        except IntegrityError as exc:
            raise SignInRefused(
                f"LogoutRequest {message.id!r} replayed", LOGOUT_REQUEST_REFUSED
            ) from exc
        sessions = SamlSession.objects.filter(provider=provider, name_id=name_id)
        if indexes:
            sessions = sessions.filter(session_index__in=indexes)
        keys = list(sessions.values_list("session_key", flat=True))
        sessions.delete()
        try:
            response = saml.client.create_logout_response(
                message,
                bindings=[BINDING_HTTP_REDIRECT],
                status=success_status_factory(),
                sign=False,
            )
            answer = saml.client.response_args(message, [BINDING_HTTP_REDIRECT])
            sign = saml.config.logout_requests_signed
            http = saml.client.apply_binding(
                answer["binding"],
                str(response),
                answer["destination"],
                relay_state=request.GET.get("RelayState", ""),
                response=True,
                sign=sign,
                sigalg=RSA_SHA256 if sign else None,
            )
        except Exception as exc:
            # The sessions end anyway: the IdP asked, and proved it.
            logger.warning("LogoutResponse to %s not possible: %r", provider.slug, exc)
            return keys, None
    return keys, dict(http["headers"])["Location"]
