"""OpenID Connect authorisation code flow with PKCE, as a relying party with one client per
provider (configured in the database).

Every check the ID token gets is here: the signature against the provider's JWKS, with
the key chosen by `kid` (an unknown `kid` fetches the JWKS again, once a minute at most:
key rotation), an algorithm from a fixed asymmetric list (never `none` nor a MAC keyed
with the public key), the issuer from discovery, our client id in the audience (and as
`azp` when there are several), expiry and issue time with a small clock skew, and the
nonce of the login attempt. State, nonce and PKCE verifier live in the session, one entry
per attempt, used once."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from .errors import SignInRefused
from .models import IdentityProvider

logger = logging.getLogger(__name__)

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
CLOCK_SKEW_SECONDS = 60
HTTP_TIMEOUT = 10
DISCOVERY_TTL = 3600
JWKS_REFETCH_SECONDS = 60
PENDING_KEY = "identity_oidc_pending"
PENDING_MAX = 5  # attempts kept at once per session (several tabs)
PENDING_MAX_AGE = 600


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""
    end_session_endpoint: str = ""


def _get_json(url: str, what: str) -> dict:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignInRefused(f"{what} at {url} unavailable: {exc}", status=502) from exc
    if not isinstance(data, dict):
        raise SignInRefused(f"{what} at {url} is not a JSON object", status=502)
    return data


def discovery_url(provider: IdentityProvider) -> str:
    url = provider.oidc_discovery_url.rstrip("/")
    if not url.endswith("/.well-known/openid-configuration"):
        url += "/.well-known/openid-configuration"
    return url


def discover(provider: IdentityProvider) -> Discovery:
    url = discovery_url(provider)
    key = "identity:oidc:discovery:" + hashlib.sha256(url.encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = _get_json(url, "discovery document")
        cache.set(key, data, DISCOVERY_TTL)
    try:
        return Discovery(
            issuer=data["issuer"],
            authorization_endpoint=data["authorization_endpoint"],
            token_endpoint=data["token_endpoint"],
            jwks_uri=data["jwks_uri"],
            userinfo_endpoint=data.get("userinfo_endpoint", ""),
            end_session_endpoint=data.get("end_session_endpoint", ""),
        )
    except KeyError as exc:
        raise SignInRefused(f"discovery document lacks {exc}", status=502) from exc


def _jwks(provider: IdentityProvider, jwks_uri: str, *, refresh: bool = False) -> KeySet:
    key = f"identity:oidc:jwks:{provider.pk}:" + hashlib.sha256(jwks_uri.encode()).hexdigest()
    fetched_key = key + ":fetched"
    data = None if refresh else cache.get(key)
    if data is None:
        data = _get_json(jwks_uri, "JWKS")
        cache.set(key, data, DISCOVERY_TTL)
        cache.set(fetched_key, time.time(), DISCOVERY_TTL)
    try:
        return KeySet.import_key_set(data)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise SignInRefused(f"JWKS unusable: {exc}", status=502) from exc


def _may_refetch(provider: IdentityProvider, jwks_uri: str) -> bool:
    key = f"identity:oidc:jwks:{provider.pk}:" + hashlib.sha256(jwks_uri.encode()).hexdigest()
    fetched = cache.get(key + ":fetched")
    return fetched is None or time.time() - fetched >= JWKS_REFETCH_SECONDS


def _header(token: str) -> dict:
    try:
        segment = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, IndexError) as exc:
        raise SignInRefused(f"ID token header unreadable: {exc}") from exc
    if not isinstance(header, dict):
        raise SignInRefused("ID token header is not an object")
    return header


def _signing_key(provider: IdentityProvider, discovery: Discovery, header: dict):
    """The provider's key for this token: by `kid`; a token without one only when the JWKS
    holds a single signing key (some small providers send no kid)."""
    kid = header.get("kid")
    for attempt in range(2):
        keys = _jwks(provider, discovery.jwks_uri, refresh=attempt == 1)
        candidates = [k for k in keys.keys if k.get("use") in (None, "sig")]
        if kid is not None:
            found = [k for k in candidates if k.kid == kid]
            if found:
                return found[0]
        elif len(candidates) == 1:
            return candidates[0]
        else:
            raise SignInRefused("ID token has no kid and the JWKS holds several keys")
        if attempt == 0 and not _may_refetch(provider, discovery.jwks_uri):
            break
    raise SignInRefused(f"no key {kid!r} in the provider's JWKS")


def validate_id_token(
    provider: IdentityProvider, discovery: Discovery, id_token: str, *, nonce: str
) -> dict:
    """The claims of `id_token` once every check passed; raises SignInRefused otherwise."""
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        raise SignInRefused("no compact ID token in the token response")
    header = _header(id_token)
    if header.get("alg") not in ALGORITHMS:
        raise SignInRefused(f"ID token algorithm {header.get('alg')!r} not accepted")
    key = _signing_key(provider, discovery, header)
    try:
        token = jwt.decode(id_token, key, algorithms=ALGORITHMS)
    except (JoseError, ValueError) as exc:
        raise SignInRefused(f"ID token signature refused: {exc!r}") from exc
    claims = token.claims
    registry = JWTClaimsRegistry(
        leeway=CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": discovery.issuer},
        aud={"essential": True, "value": provider.oidc_client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise SignInRefused(f"ID token claims refused: {exc!r}") from exc
    if isinstance(claims.get("iat"), int | float) and claims["iat"] > (
        time.time() + CLOCK_SKEW_SECONDS
    ):
        raise SignInRefused("ID token issued in the future")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.oidc_client_id:
        raise SignInRefused("ID token for several audiences without us as azp")
    if "azp" in claims and claims["azp"] != provider.oidc_client_id:
        raise SignInRefused("ID token authorised for another client")
    return claims


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    return verifier, challenge


def start(request, provider: IdentityProvider, *, redirect_uri: str, next_url: str) -> str:
    """Remember a new attempt in the session; the provider's authorisation URL for it."""
    discovery = discover(provider)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier, challenge = _pkce_pair()
    pending = {
        s: p
        for s, p in request.session.get(PENDING_KEY, {}).items()
        if time.time() - p["at"] < PENDING_MAX_AGE
    }
    pending = dict(sorted(pending.items(), key=lambda item: item[1]["at"])[-(PENDING_MAX - 1) :])
    pending[state] = {
        "provider": provider.pk,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "at": time.time(),
    }
    request.session[PENDING_KEY] = pending
    query = {
        "response_type": "code",
        "client_id": provider.oidc_client_id,
        "redirect_uri": redirect_uri,
        "scope": provider.oidc_scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in discovery.authorization_endpoint else "?"
    return discovery.authorization_endpoint + separator + urlencode(query)


def pop_pending(request, state: str) -> dict:
    """The attempt `state` names, removed from the session (a state is good once)."""
    pending = request.session.get(PENDING_KEY, {})
    attempt = pending.pop(state, None) if isinstance(state, str) else None
    request.session[PENDING_KEY] = pending
    if attempt is None:
        raise SignInRefused("unknown or reused state")
    if time.time() - attempt["at"] >= PENDING_MAX_AGE:
        raise SignInRefused("login attempt too old")
    return attempt


def finish(
    provider: IdentityProvider, attempt: dict, *, code: str, redirect_uri: str
) -> tuple[dict, str]:
    """Exchange the code (with the PKCE verifier), check the ID token; its claims (with
    the userinfo endpoint's for the same subject) and the raw ID token for logout."""
    discovery = discover(provider)
    try:
        response = requests.post(
            discovery.token_endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": attempt["verifier"],
            },
            auth=(provider.oidc_client_id, provider.oidc_client_secret),
            timeout=HTTP_TIMEOUT,
            headers={"Accept": "application/json"},
        )
        tokens = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignInRefused(f"token endpoint unusable: {exc}", status=502) from exc
    if response.status_code != 200 or not isinstance(tokens, dict):
        raise SignInRefused(f"token endpoint refused the code: {response.status_code} {tokens}")
    id_token = tokens.get("id_token")
    claims = validate_id_token(provider, discovery, id_token, nonce=attempt["nonce"])
    access_token = tokens.get("access_token")
    if discovery.userinfo_endpoint and isinstance(access_token, str):
        extra = _userinfo(discovery.userinfo_endpoint, access_token)
        if extra.get("sub") == claims["sub"]:
            claims = {**extra, **claims}
    return claims, id_token


def _userinfo(url: str, access_token: str) -> dict:
    try:
        response = requests.get(
            url, headers={"Authorization": f"Bearer {access_token}"}, timeout=HTTP_TIMEOUT
        )
        data = response.json() if response.status_code == 200 else {}
    except (requests.RequestException, ValueError):
        logger.warning("userinfo endpoint %s unusable", url)
        return {}
    return data if isinstance(data, dict) else {}


def end_session_url(provider: IdentityProvider, id_token: str, *, return_to: str) -> str | None:
    """The provider's RP-initiated logout URL, or None when it offers none."""
    try:
        endpoint = discover(provider).end_session_endpoint
    except SignInRefused:
        return None
    if not endpoint:
        return None
    query = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": return_to,
        "client_id": provider.oidc_client_id,
    }
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(query)
