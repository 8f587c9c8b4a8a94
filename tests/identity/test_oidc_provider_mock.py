"""The happy path against a third-party provider from PyPI (oidc-provider-mock), served
on a local port: its ID tokens carry no `kid`, and its JWKS holds one key, which we then
use (a token without kid is refused when the JWKS holds several)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from wagtail_learning.identity.models import IdentityProvider, ProviderIdentity

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def mock_provider():
    users = [
        oidc_provider_mock.User(
            sub="anna-sub", claims={"email": "anna@huddinge.se", "employee_number": "1001"}
        )
    ]
    with oidc_provider_mock.run_server_in_thread(
        port=0, require_nonce=True, user_claims=users
    ) as server:
        yield f"http://localhost:{server.server_port}"


def test_code_flow_against_oidc_provider_mock(client, huddinge, imported, mock_provider):
    provider = IdentityProvider.objects.create(
        organisation=huddinge,
        slug="huddinge",
        protocol="oidc",
        domains="huddinge.se",
        oidc_discovery_url=mock_provider,
        oidc_client_id="lms-client",
        oidc_client_secret="s",
    )
    start = client.get("/konto/sso/huddinge/")
    assert start.status_code == 302 and start["Location"].startswith(mock_provider)
    authorize = requests.post(
        start["Location"], data={"sub": "anna-sub"}, allow_redirects=False, timeout=10
    )
    assert authorize.status_code == 302, authorize.text[:300]
    back = urlsplit(authorize.headers["Location"])
    response = client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})
    assert (response.status_code, response["Location"]) == (302, "/"), response.content[:400]
    assert client.session["_auth_user_id"] == str(imported.pk)
    assert ProviderIdentity.objects.get(provider=provider).subject == "anna-sub"
    logout = client.post("/konto/logga-ut/")
    assert f"{mock_provider}/oauth2/end_session?id_token_hint=" in logout.content.decode()
