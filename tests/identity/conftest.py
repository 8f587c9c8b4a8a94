from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.cache import cache

from wagtail_learning.identity.models import IdentityProvider
from wagtail_learning.org.api import LearnerProfile, Organisation

from .oidc_provider import TinyProvider, running
from .saml_idp import TestIdP, key_pair


@pytest.fixture(autouse=True)
def fresh_cache():
    """Discovery documents and JWKS are cached; each test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def huddinge(db):
    return Organisation.add_root(name="Huddinge kommun")


@pytest.fixture
def botkyrka(db):
    return Organisation.add_root(name="Botkyrka kommun")


@pytest.fixture
def forskolan(huddinge):
    return huddinge.add_child(name="Förskolan Snättringe")


@pytest.fixture
def imported(forskolan):
    """A person the staff import created: an account with no usable password, a profile
    with an employee number in a unit."""
    user = get_user_model().objects.create(
        username="anst-1001", first_name="Anna", last_name="Andersson", email="anna@huddinge.se"
    )
    user.set_unusable_password()
    user.save()
    LearnerProfile.objects.create(user=user, unit=forskolan, employee_number="1001")
    return user


@pytest.fixture
def op():
    with running(TinyProvider()) as provider:
        yield provider


@pytest.fixture
def provider(huddinge, op):
    return IdentityProvider.objects.create(
        organisation=huddinge,
        slug="huddinge",
        protocol="oidc",
        domains="huddinge.se",
        oidc_discovery_url=op.base_url,
        oidc_client_id="lms-client",
        oidc_client_secret="s3cret",
    )


@pytest.fixture(scope="session")
def sp_keys():
    """Our SP's key pair (a test fixture, generated per run)."""
    return key_pair("lms sp")


@pytest.fixture
def saml_provider(huddinge, sp_keys, client):
    provider = IdentityProvider.objects.create(
        organisation=huddinge,
        slug="huddinge-saml",
        protocol="saml",
        domains="huddinge.se",
        saml_sp_private_key=sp_keys[0],
        saml_sp_certificate=sp_keys[1],
    )
    return provider


@pytest.fixture
def idp(saml_provider, client):
    sp_metadata = client.get(f"/konto/sso/saml/{saml_provider.slug}/metadata/")
    assert sp_metadata.status_code == 200
    idp = TestIdP(sp_metadata.content.decode())
    saml_provider.saml_metadata_xml = idp.metadata()
    saml_provider.save()
    return idp


def sign_in(client, provider, *, next_url=None):
    """The whole code flow through the Django test client and the provider over HTTP;
    the response of our callback."""
    url = f"/konto/sso/{provider.slug}/" + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302, response.content[:500]
    at_provider = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    return client.get(
        back.path, dict(parse_qs(back.query)) and {k: v[0] for k, v in parse_qs(back.query).items()}
    )


def session_user_id(client):
    return client.session.get("_auth_user_id")
