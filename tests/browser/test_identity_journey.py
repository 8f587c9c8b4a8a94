"""A member of staff signs in through their municipality's identity provider in a real
browser: "Logga in med Huddinge kommun" on our login page, the provider's own page
(oidc-provider-mock from PyPI, on a local port), and back on their dashboard, signed in
as the account the staff import made for them."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import site_home
from wagtail_learning.identity.models import IdentityProvider, ProviderIdentity
from wagtail_learning.org.api import LearnerProfile, Organisation

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mock_provider():
    users = [
        oidc_provider_mock.User(
            sub="4f1c-anna",
            claims={
                "email": "anna.andersson@huddinge.se",
                "employee_number": "10042",
                "given_name": "Someone",
                "family_name": "Else",
            },
        )
    ]
    with oidc_provider_mock.run_server_in_thread(
        port=0, require_nonce=True, user_claims=users
    ) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def imported_staff(db):
    site_home()
    huddinge = Organisation.add_root(name="Huddinge kommun")
    unit = huddinge.add_child(name="Förskolan Snättringe")
    user = get_user_model().objects.create(
        username="anst-10042", first_name="Anna", last_name="Andersson"
    )
    user.set_unusable_password()
    user.save()
    LearnerProfile.objects.create(user=user, unit=unit, employee_number="10042")
    return huddinge, user


def test_staff_member_signs_in_through_huddinge_kommun(
    live_server, browser_page, mock_provider, imported_staff
):
    huddinge, anna = imported_staff
    provider = IdentityProvider.objects.create(
        organisation=huddinge,
        slug="huddinge",
        protocol="oidc",
        domains="huddinge.se",
        oidc_discovery_url=mock_provider,
        oidc_client_id="lms",
        oidc_client_secret="demo",
    )
    tab = browser_page
    errors: list[str] = []
    ours = live_server.url

    def console(message):  # the provider's page loads its CSS from a CDN: not ours
        if message.type == "error" and message.location.get("url", "").startswith(ours):
            errors.append(message.text)

    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", console)

    tab.goto(f"{live_server.url}/konto/logga-in/")
    tab.get_by_role("link", name="Logga in med Huddinge kommun").click()
    tab.wait_for_url(f"{mock_provider}/oauth2/authorize*")
    tab.get_by_role("button", name="4f1c-anna").click()  # the provider's own sign-in

    tab.wait_for_url(f"{live_server.url}/")
    assert tab.locator("h1").inner_text() == "Välkommen, Anna"
    assert tab.get_by_role("button", name="Logga ut (Anna Andersson)").is_visible()
    link = ProviderIdentity.objects.get(provider=provider)
    assert (link.subject, link.user_id) == ("4f1c-anna", anna.pk)
    assert get_user_model().objects.count() == 1  # linked, not a second account
    assert errors == []

    # Logging out ends our session and sends the browser on to the provider's logout.
    tab.get_by_role("button", name="Logga ut (Anna Andersson)").click()
    tab.wait_for_url(f"{mock_provider}/oauth2/end_session*")


def test_typing_a_work_address_picks_the_provider(
    live_server, browser_page, mock_provider, imported_staff
):
    huddinge, anna = imported_staff
    IdentityProvider.objects.create(
        organisation=huddinge,
        slug="huddinge",
        protocol="oidc",
        domains="huddinge.se",
        oidc_discovery_url=mock_provider,
        oidc_client_id="lms",
    )
    tab = browser_page
    tab.goto(f"{live_server.url}/konto/logga-in/")
    tab.get_by_label("Eller skriv din e-postadress i tjänsten").fill("anna.andersson@huddinge.se")
    tab.get_by_role("button", name="Fortsätt").click()
    tab.wait_for_url(f"{mock_provider}/oauth2/authorize*")
