"""The login page: a button per active provider, the provider picked by the email domain,
password logins refused for an organisation that turned them off; the admin screen keeps
secrets to itself; a single-tenant provider from the environment."""

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from wagtail_learning.identity.envconfig import sync_from_environment
from wagtail_learning.identity.models import IdentityProvider

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def oidc_provider(huddinge):
    return IdentityProvider.objects.create(
        organisation=huddinge,
        slug="huddinge",
        protocol="oidc",
        domains="huddinge.se\nhuddinge.org",
        oidc_discovery_url="https://login.example/huddinge",
        oidc_client_id="lms",
        oidc_client_secret="very-secret-value",
    )


def test_the_login_page_offers_each_active_provider(client, oidc_provider, botkyrka):
    IdentityProvider.objects.create(
        organisation=botkyrka, slug="botkyrka", protocol="oidc", is_active=False
    )
    page = client.get("/konto/logga-in/?next=/kurser/").content.decode()
    assert "Logga in med Huddinge kommun" in page
    assert 'href="/konto/sso/huddinge/?next=%2Fkurser%2F"' in page
    assert "Botkyrka" not in page


def test_the_email_domain_picks_the_provider(client, oidc_provider):
    page = client.get("/konto/logga-in/", {"email": "Anna@HUDDINGE.org"}).content.decode()
    assert 'http-equiv="refresh" content="1;url=/konto/sso/huddinge/"' in page
    other = client.get("/konto/logga-in/", {"email": "anna@gmail.com"}).content.decode()
    assert 'http-equiv="refresh"' not in other and "användarnamn och lösenord" in other


def test_the_login_page_keeps_its_content_security_policy(client, oidc_provider):
    response = client.get("/konto/logga-in/", {"email": "anna@huddinge.se"})
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "form-action 'self'" in policy


def test_passwords_off_refuses_the_organisations_people(client, oidc_provider, imported):
    oidc_provider.local_passwords_disabled = True
    oidc_provider.save()
    imported.set_password(PASSWORD)
    imported.save()
    response = client.post("/konto/logga-in/", {"username": "anst-1001", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    page = response.content.decode()
    assert 'href="/konto/sso/huddinge/"' in page and "Logga in med Huddinge kommun" in page
    # Wagtail admin's login (and any authenticate() call) refuses them too.
    from django.contrib.auth import authenticate

    request = RequestFactory().post("/admin/login/")
    assert authenticate(request, username="anst-1001", password=PASSWORD) is None


def test_passwords_off_applies_to_addresses_in_its_domains(client, oidc_provider):
    oidc_provider.local_passwords_disabled = True
    oidc_provider.save()
    response = client.post("/konto/logga-in/", {"username": "someone@huddinge.se", "password": "x"})
    assert 'href="/konto/sso/huddinge/"' in response.content.decode()


def test_passwords_stay_for_other_organisations_and_admins(client, oidc_provider, botkyrka):
    oidc_provider.local_passwords_disabled = True
    oidc_provider.save()
    User = get_user_model()
    outsider = User.objects.create_user("bo", email="bo@botkyrka.se", password=PASSWORD)
    admin = User.objects.create_user(
        "chef", email="chef@huddinge.se", password=PASSWORD, is_staff=True
    )
    for user in (outsider, admin):
        response = client.post(
            "/konto/logga-in/", {"username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302, response.content[:400]
        client.logout()


def test_passwords_on_by_default(client, oidc_provider, imported):
    imported.set_password(PASSWORD)
    imported.save()
    response = client.post("/konto/logga-in/", {"username": "anst-1001", "password": PASSWORD})
    assert response.status_code == 302


def test_the_admin_never_shows_a_secret_back(client, oidc_provider):
    admin = get_user_model().objects.create_superuser("root", "root@example.se", PASSWORD)
    client.force_login(admin)
    url = f"/admin/identity_providers/edit/{oidc_provider.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "very-secret-value" not in page.content.decode()
    form = page.context["form"]
    data = {name: form.initial.get(name, getattr(oidc_provider, name, "")) for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(
        organisation=oidc_provider.organisation_id,
        button_label="Huddinge",
        oidc_client_id="lms-2",
        is_active="on",
    )
    data.pop("local_passwords_disabled", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    oidc_provider.refresh_from_db()
    assert oidc_provider.oidc_client_secret == "very-secret-value"
    assert oidc_provider.oidc_client_id == "lms-2"
    assert oidc_provider.button_label == "Huddinge"
    data["oidc_client_secret"] = "rotated"
    client.post(url, data)
    oidc_provider.refresh_from_db()
    assert oidc_provider.oidc_client_secret == "rotated"


def test_only_superusers_see_the_providers(client, oidc_provider):
    editor = get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True)
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    response = client.get("/admin/identity_providers/")
    assert response.status_code in (302, 403)


def test_a_single_tenant_provider_from_the_environment(huddinge, tmp_path):
    metadata = tmp_path / "idp.xml"
    metadata.write_text("<EntityDescriptor/>")
    signer = tmp_path / "federation.crt"
    signer.write_text("-----BEGIN CERTIFICATE-----\n")
    provider = sync_from_environment(
        environ={
            "LMS_IDP_SLUG": "huddinge",
            "LMS_IDP_ORGANISATION": "Huddinge kommun",
            "LMS_IDP_PROTOCOL": "oidc",
            "LMS_IDP_OIDC_DISCOVERY_URL": "https://login.microsoftonline.com/t/v2.0",
            "LMS_IDP_OIDC_CLIENT_ID": "app",
            "LMS_IDP_OIDC_CLIENT_SECRET": "secret",
            "LMS_IDP_DOMAINS": "huddinge.se",
            "LMS_IDP_PASSWORDS_DISABLED": "1",
        }
    )
    assert provider.managed_by_environment and provider.local_passwords_disabled
    assert provider.organisation == huddinge and provider.domain_list == ["huddinge.se"]
    assert sync_from_environment(environ={}) is None
    saml = sync_from_environment(
        environ={
            "LMS_IDP_SLUG": "huddinge",
            "LMS_IDP_ORGANISATION": "Huddinge kommun",
            "LMS_IDP_PROTOCOL": "saml",
            "LMS_IDP_SAML_METADATA_FILE": str(metadata),
            "LMS_IDP_SAML_METADATA_CERT_FILE": str(signer),
            "LMS_IDP_SAML_IDP_ENTITY_ID": "https://idp.huddinge.se/saml",
        }
    )
    assert saml.pk == provider.pk and saml.saml_metadata_xml == "<EntityDescriptor/>"
    assert saml.saml_metadata_certificate == "-----BEGIN CERTIFICATE-----\n"
    assert saml.saml_idp_entity_id == "https://idp.huddinge.se/saml"
