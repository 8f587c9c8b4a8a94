"""OpenID Connect sign-in against a provider running on a local port: linking, creating,
and every refusal the issue lists (state, nonce, PKCE, signature and key rotation, issuer,
audience, expiry and clock skew, another provider's or client's token)."""

import logging
import time

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache

from wagtail_learning.identity.models import IdentityProvider, ProviderIdentity
from wagtail_learning.org.api import LearnerProfile

from .conftest import session_user_id, sign_in
from .oidc_provider import TinyProvider, running

pytestmark = pytest.mark.django_db


def refused(response, status=400, reason=""):
    assert response.status_code == status, response.content[:300]
    assert reason in response.refusal_reason, response.refusal_reason
    assert session_user_id_of(response) is None
    return response


def session_user_id_of(response):
    return response.wsgi_request.session.get("_auth_user_id")


# -- linking and creating ------------------------------------------------------------------


def test_first_login_links_the_imported_profile_by_employee_number(client, provider, op, imported):
    op.user_claims = {"sub": "abc-123", "employee_number": "1001", "name": "Someone Else"}
    response = sign_in(client, provider)
    assert response.status_code == 302 and response["Location"] == "/"
    assert session_user_id(client) == str(imported.pk)
    link = ProviderIdentity.objects.get(provider=provider)
    assert (link.subject, link.user) == ("abc-123", imported)
    # PKCE: the provider got an S256 challenge and a verifier that matches it.
    assert op.authorize_requests[0]["code_challenge_method"] == "S256"
    assert op.token_requests[0]["code_verifier"]


def test_later_logins_find_the_person_by_subject(client, provider, op, imported):
    op.user_claims = {"sub": "abc-123", "employee_number": "1001"}
    sign_in(client, provider)
    client.logout()
    op.user_claims = {"sub": "abc-123"}  # no employee number this time
    sign_in(client, provider)
    assert session_user_id(client) == str(imported.pk)


def test_next_is_followed_only_on_this_site(client, provider, op, imported):
    op.user_claims = {"sub": "abc-123", "employee_number": "1001"}
    assert sign_in(client, provider, next_url="/kurser/")["Location"] == "/kurser/"
    client.logout()
    assert sign_in(client, provider, next_url="https://evil.example/")["Location"] == "/"


def test_a_new_person_gets_an_account_and_a_place_in_the_organisation(client, provider, op):
    op.user_claims = {
        "sub": "new-1",
        "employee_number": "2002",
        "email": "bo@huddinge.se",
        "given_name": "Bo",
        "family_name": "Berg",
    }
    sign_in(client, provider)
    user = get_user_model().objects.get(pk=session_user_id(client))
    assert (user.username, user.email, user.first_name) == ("anst-2002", "bo@huddinge.se", "Bo")
    assert not user.has_usable_password()
    profile = LearnerProfile.objects.select_related("unit").get(user=user)
    assert (profile.organisation, profile.employee_number) == (provider.organisation, "2002")
    assert profile.unit.is_unplaced and profile.unit.get_parent() == provider.organisation


def test_email_is_trusted_only_in_the_providers_own_domains(client, provider, op):
    other = get_user_model().objects.create(username="eva", email="eva@gmail.com")
    op.user_claims = {"sub": "x-1", "email": "eva@gmail.com"}
    sign_in(client, provider)
    user = get_user_model().objects.get(pk=session_user_id(client))
    assert user != other and user.email == ""


def test_email_in_its_own_domain_links_an_existing_learner(client, provider, op):
    eva = get_user_model().objects.create(username="eva", email="Eva@Huddinge.se")
    op.user_claims = {"sub": "x-2", "email": "eva@huddinge.se"}
    sign_in(client, provider)
    assert session_user_id(client) == str(eva.pk)


def test_display_names_never_link(client, provider, op, imported):
    op.user_claims = {"sub": "x-3", "given_name": "Anna", "family_name": "Andersson"}
    sign_in(client, provider)
    assert session_user_id(client) != str(imported.pk)


def test_another_organisations_employee_number_does_not_link(client, provider, op, botkyrka):
    user = get_user_model().objects.create(username="anst-7")
    LearnerProfile.objects.create(user=user, unit=botkyrka, employee_number="7")
    op.user_claims = {"sub": "x-4", "employee_number": "7"}
    sign_in(client, provider)
    assert session_user_id(client) != str(user.pk)


@pytest.mark.parametrize("rights", ["staff", "superuser", "admin_access"])
def test_an_admin_account_cannot_be_taken_over_by_email(client, provider, op, rights, caplog):
    admin = get_user_model().objects.create(username="boss", email="boss@huddinge.se")
    if rights == "admin_access":
        admin.user_permissions.add(Permission.objects.get(codename="access_admin"))
    else:
        setattr(admin, f"is_{rights}", True)
        admin.save()
    op.user_claims = {"sub": "attacker", "email": "boss@huddinge.se"}
    with caplog.at_level(logging.WARNING, logger="identity"):
        response = refused(sign_in(client, provider), 403, "privileged")
    assert "administratörsbehörighet" in response.content.decode() or response.status_code == 403
    assert not ProviderIdentity.objects.exists()
    assert any("privileged account" in r.getMessage() for r in caplog.records)


def test_an_admin_account_cannot_be_taken_over_by_employee_number(client, provider, op, imported):
    imported.is_superuser = True
    imported.save()
    op.user_claims = {"sub": "attacker", "employee_number": "1001"}
    refused(sign_in(client, provider), 403, "privileged")


def test_an_inactive_account_is_refused(client, provider, op, imported):
    imported.is_active = False
    imported.save()
    op.user_claims = {"sub": "abc", "employee_number": "1001"}
    refused(sign_in(client, provider), 403, "inactive")


# -- state, nonce, PKCE --------------------------------------------------------------------


def _to_callback(client, provider):
    response = client.get(f"/konto/sso/{provider.slug}/")
    at_provider = requests.get(response["Location"], allow_redirects=False, timeout=10)
    return at_provider.headers["Location"].split("?", 1)[1]


def test_forged_or_missing_state_is_refused(client, provider, op):
    query = _to_callback(client, provider)
    code = query.split("code=")[1].split("&")[0]
    refused(
        client.get("/konto/sso/oidc/callback/", {"code": code, "state": "forged"}), reason="state"
    )
    refused(client.get("/konto/sso/oidc/callback/", {"code": code}), reason="state")


def test_a_state_is_good_once(client, provider, op):
    query = _to_callback(client, provider)
    assert client.get(f"/konto/sso/oidc/callback/?{query}").status_code == 302
    client.logout()
    refused(client.get(f"/konto/sso/oidc/callback/?{query}"), reason="state")


def test_a_callback_in_another_browser_is_refused(client, provider, op):
    from django.test import Client

    query = _to_callback(client, provider)
    refused(Client().get(f"/konto/sso/oidc/callback/?{query}"), reason="state")


def test_wrong_nonce_is_refused(client, provider, op):
    op.claim_overrides = {"nonce": "replayed-nonce"}
    refused(sign_in(client, provider), reason="nonce")


def test_missing_nonce_is_refused(client, provider, op):
    op.claim_overrides = {"nonce": None}
    refused(sign_in(client, provider), reason="nonce")


def test_without_the_pkce_verifier_the_code_is_useless(client, provider, op):
    query = _to_callback(client, provider)
    session = client.session
    for attempt in session["identity_oidc_pending"].values():
        attempt["verifier"] = "not-the-verifier"
    session.save()
    refused(client.get(f"/konto/sso/oidc/callback/?{query}"), reason="token endpoint refused")


def test_provider_error_answer_is_refused(client, provider, op):
    query = _to_callback(client, provider)
    state = query.split("state=")[1]
    refused(
        client.get("/konto/sso/oidc/callback/", {"error": "access_denied", "state": state}),
        403,
        "error",
    )


# -- the ID token --------------------------------------------------------------------------


def test_a_token_signed_with_an_unpublished_key_is_refused(client, provider, op):
    from joserfc.jwk import RSAKey

    op.sign_with = RSAKey.generate_key(2048, parameters={"kid": "key-1"})
    refused(sign_in(client, provider), reason="signature")


def test_unsigned_and_mac_tokens_are_refused(client, provider, op):
    from joserfc.jwk import OctKey

    op.header_overrides = {"alg": "HS256"}
    op.sign_with = OctKey.import_key(b"k" * 32, {"kid": "key-1"})
    refused(sign_in(client, provider), reason="algorithm")
    client.logout()
    op.sign_with = None
    op.header_overrides = {}
    good = op.mint({"sub": "x"})
    header = '{"alg":"none","kid":"key-1"}'
    import base64

    head = base64.urlsafe_b64encode(header.encode()).rstrip(b"=").decode()
    op.raw_id_token = head + "." + good.split(".")[1] + "."
    refused(sign_in(client, provider), reason="algorithm")


def test_tampered_claims_are_refused(client, provider, op):
    import base64
    import json

    op.user_claims = {"sub": "victim"}
    token = op.mint(
        {
            "iss": op.issuer,
            "aud": "lms-client",
            "sub": "me",
            "iat": int(time.time()),
            "exp": int(time.time()) + 300,
            "nonce": "n",
        }
    )
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["sub"] = "victim"
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    op.raw_id_token = f"{head}.{body}.{sig}"
    refused(sign_in(client, provider), reason="signature")


def test_key_rotation_fetches_the_jwks_again(client, provider, op):
    op.user_claims = {"sub": "r-1"}
    sign_in(client, provider)
    fetches = op.jwks_fetches
    client.logout()
    op.rotate("key-2")
    # The cached JWKS lacks key-2, and the last fetch was just now; pretend a minute passed.
    from django.core.cache import cache

    for key in list(cache._cache.keys()):
        if key.endswith(":fetched"):
            cache.set(key.split(":", 2)[2], 0, 60)
    response = sign_in(client, provider)
    assert response.status_code == 302, response.content[:300]
    assert op.jwks_fetches == fetches + 1


def test_an_unknown_kid_is_refused_after_fetching_again(client, provider, op):
    from joserfc.jwk import RSAKey

    op.sign_with = RSAKey.generate_key(2048, parameters={"kid": "nobody-knows"})
    refused(sign_in(client, provider), reason="no key")


def test_the_jwks_is_not_fetched_again_within_a_minute(client, provider, op):
    from joserfc.jwk import RSAKey

    op.user_claims = {"sub": "r-2"}
    sign_in(client, provider)
    client.logout()
    fetches = op.jwks_fetches
    op.sign_with = RSAKey.generate_key(2048, parameters={"kid": "flood-1"})
    refused(sign_in(client, provider), reason="no key")
    assert op.jwks_fetches == fetches


def test_a_token_without_kid_is_accepted_only_from_a_single_key(client, provider, op):
    op.header_overrides = {"kid": None}
    assert sign_in(client, provider).status_code == 302
    client.logout()
    op.rotate("key-2", keep_old=True)
    cache.clear()  # the provider now publishes two keys
    refused(sign_in(client, provider), reason="no kid")


@pytest.mark.parametrize(
    "override,reason",
    [
        # Each override is built from the time the test runs, not the time the module was
        # collected: the suite takes many minutes, and an "iat" ten minutes ahead at
        # collection would be in the past by then.
        (lambda now: {"iss": "https://login.example/other-tenant"}, "'iss'"),
        (lambda now: {"aud": "another-client"}, "'aud'"),
        (lambda now: {"aud": ["lms-client", "another-client"]}, "several audiences"),  # no azp
        (lambda now: {"aud": ["lms-client", "another-client"], "azp": "another-client"}, "several"),
        (lambda now: {"azp": "another-client"}, "another client"),
        (lambda now: {"exp": now - 120}, "expired"),  # beyond the clock skew
        (lambda now: {"iat": now + 600}, "future"),
        (lambda now: {"sub": None}, "'sub'"),
    ],
    ids=["issuer", "audience", "several-audiences", "azp-other", "azp", "expired", "future", "sub"],
)
def test_claims_are_checked(client, provider, op, override, reason):
    op.claim_overrides = override(int(time.time()))
    refused(sign_in(client, provider), reason=reason)


def test_expiry_allows_a_small_clock_skew(client, provider, op):
    op.claim_overrides = {"exp": int(time.time()) - 20}
    assert sign_in(client, provider).status_code == 302


def test_a_token_from_another_provider_is_refused(client, provider, op, botkyrka):
    with running(TinyProvider()) as other:
        IdentityProvider.objects.create(
            organisation=botkyrka,
            slug="botkyrka",
            protocol="oidc",
            oidc_discovery_url=other.base_url,
            oidc_client_id="lms-client",
        )
        # Huddinge's provider hands back a token that Botkyrka's minted and signed.
        op.raw_id_token = other.mint(
            {
                "iss": other.issuer,
                "aud": "lms-client",
                "sub": "b-1",
                "iat": int(time.time()),
                "exp": int(time.time()) + 300,
                "nonce": "whatever",
            }
        )
        refused(sign_in(client, provider), reason="signature")


# -- hostile URLs, unreachable providers ---------------------------------------------------


def test_unknown_or_inactive_provider_is_a_404_page(client, provider):
    assert client.get("/konto/sso/nobody/").status_code == 404
    provider.is_active = False
    provider.save()
    assert client.get("/konto/sso/huddinge/").status_code == 404


def test_an_unreachable_provider_is_a_502_page(client, huddinge):
    IdentityProvider.objects.create(
        organisation=huddinge,
        slug="down",
        protocol="oidc",
        oidc_discovery_url="http://127.0.0.1:9",
        oidc_client_id="c",
    )
    response = client.get("/konto/sso/down/")
    assert response.status_code == 502
    assert "Försök igen" in response.content.decode() or response.status_code == 502


# -- logout --------------------------------------------------------------------------------


def test_logout_ends_our_session_and_sends_on_to_the_provider(client, provider, op, imported):
    op.user_claims = {"sub": "abc-123", "employee_number": "1001"}
    sign_in(client, provider)
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 200
    assert session_user_id(client) is None
    body = response.content.decode()
    assert f'content="0;url={op.base_url}/logout?id_token_hint=' in body
    assert "post_logout_redirect_uri=" in body
    assert client.get("/konto/logga-ut/").status_code == 405


def test_logout_of_a_password_session_is_local(client, imported):
    client.force_login(imported)
    response = client.post("/konto/logga-ut/")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert session_user_id(client) is None
