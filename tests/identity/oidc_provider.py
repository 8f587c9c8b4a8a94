"""A small OpenID Connect provider for the refusal tests, served over real HTTP from a
thread (port 0). Unlike oidc-provider-mock (the happy paths), it can be told to misbehave:
sign with a key it does not publish, rotate its keys, send another issuer, audience,
nonce or expiry. It enforces PKCE (S256) as a real provider does."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class TinyProvider:
    def __init__(self):
        self.keys = [RSAKey.generate_key(2048, parameters={"kid": "key-1", "use": "sig"})]
        self.signing_key = self.keys[0]
        self.user_claims: dict = {"sub": "subject-1"}
        self.claim_overrides: dict = {}
        self.header_overrides: dict = {}
        self.sign_with = None  # a key of somebody else's
        self.raw_id_token: str | None = None
        self.codes: dict[str, dict] = {}
        self.authorize_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self.jwks_fetches = 0
        self.base_url = ""

    # -- behaviour switches -------------------------------------------------------------
    def rotate(self, kid: str, *, keep_old: bool = False) -> None:
        new = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig"})
        self.keys = [*self.keys, new] if keep_old else [new]
        self.signing_key = new

    @property
    def issuer(self) -> str:
        return self.base_url

    def mint(self, claims: dict, *, key=None, header: dict | None = None) -> str:
        key = key or self.signing_key
        header = {"alg": "RS256", "kid": key.kid, **(header or {})}
        header = {k: v for k, v in header.items() if v is not None}
        return jwt.encode(header, claims, key, algorithms=["RS256", "HS256"])

    # -- WSGI -------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        route = {
            "/.well-known/openid-configuration": self.discovery,
            "/authorize": self.authorize,
            "/token": self.token,
            "/jwks": self.jwks,
            "/userinfo": self.userinfo,
            "/logout": self.logout,
        }.get(request.path)
        response = route(request) if route else Response("not found", status=404)
        return response(environ, start_response)

    def discovery(self, request):
        base = self.base_url
        return _json(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
                "userinfo_endpoint": f"{base}/userinfo",
                "end_session_endpoint": f"{base}/logout",
            }
        )

    def jwks(self, request):
        self.jwks_fetches += 1
        return _json(KeySet(self.keys).as_dict(private=False))

    def authorize(self, request):
        args = dict(request.args)
        self.authorize_requests.append(args)
        code = secrets.token_urlsafe(16)
        self.codes[code] = args
        query = urlencode({"code": code, "state": args.get("state", "")})
        return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{query}"})

    def token(self, request):
        form = dict(request.form)
        self.token_requests.append({**form, "authorization": request.authorization})
        auth = self.codes.pop(form.get("code"), None)
        if auth is None:
            return _json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if auth.get("code_challenge_method") != "S256" or challenge != auth.get("code_challenge"):
            return _json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        if form.get("redirect_uri") != auth["redirect_uri"]:
            return _json({"error": "invalid_grant"}, 400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": auth["client_id"],
            "iat": now,
            "exp": now + 300,
            "nonce": auth.get("nonce"),
            **self.user_claims,
            **self.claim_overrides,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        id_token = self.raw_id_token or self.mint(
            claims, key=self.sign_with, header=self.header_overrides
        )
        return _json(
            {"access_token": "at-" + form["code"], "token_type": "Bearer", "id_token": id_token}
        )

    def userinfo(self, request):
        return _json(self.user_claims)

    def logout(self, request):
        return Response("logged out at the provider")


def _json(data, status=200):
    import json

    return Response(json.dumps(data), status=status, content_type="application/json")


@contextmanager
def running(provider: TinyProvider):
    server = make_server("127.0.0.1", 0, provider, threaded=True)
    provider.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
