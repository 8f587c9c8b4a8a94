"""Public verification, the learner's own certificates, downloads and the HTML view."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from wagtail.models import ModelLogEntry

from tests.factories import CertificateFactory, SuperuserFactory, UserFactory, in_english
from wagtail_learning.certificates.models import Certificate
from wagtail_learning.certificates.rendering import qr_svg_data_uri
from wagtail_learning.certificates.services import revoke_certificate
from wagtail_learning.certificates.views import VERIFY_LIMIT

from .conftest import STOCKHOLM, pdf_bytes

pytestmark = pytest.mark.django_db

CODE = "7KQ4-XM20-9D"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The throttle counts in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person():
    return UserFactory(
        username="asa_login_4711",
        email="asa.private@example.se",
        first_name="Åsa",
        last_name="Öberg",
    )


@pytest.fixture
def issued(person):
    return CertificateFactory(
        user=person,
        code=CODE,
        title="Jämlik styrning i praktiken",
        status=Certificate.Status.READY,
        completed_at=datetime(2026, 11, 22, 9, 0, tzinfo=STOCKHOLM),
        issued_at=datetime(2026, 11, 22, 9, 1, tzinfo=STOCKHOLM),
    )


def verify_url(code: str) -> str:
    return reverse("certificates:verify_code", args=[code])


# --- Verification ------------------------------------------------------------------------


def test_the_form_redirects_to_the_canonical_code(client):
    response = client.get(reverse("certificates:verify"), {"code": " 7kq4 xm2o 9d "})

    assert response.status_code == 302
    assert response["Location"] == "/certificates/verify/7KQ4-XM20-9D/"


def test_the_form_without_a_code_shows_the_form(client):
    response = in_english(client).get("/certificates/verify/")

    assert response.status_code == 200
    assert b'name="code"' in response.content


@pytest.mark.parametrize("typed", ["7KQ4", "not a code at all", "7KQ4-XM20-9D-EXTRA"])
def test_the_form_refuses_what_is_not_a_code(client, typed):
    response = in_english(client).get("/certificates/verify/", {"code": typed})

    assert response.status_code == 400
    assert b"A verification code has 10 letters and digits" in response.content
    assert b'aria-invalid="true"' in response.content


def test_a_valid_certificate_shows_name_title_dates_and_status(client, issued):
    response = in_english(client).get(verify_url(CODE))

    assert response.status_code == 200
    assert response.templates[0].name == "certificates/verify_result.html"
    html = response.content.decode()
    assert 'data-verification="valid"' in html
    assert "Valid certificate" in html
    assert "Åsa Öberg" in html
    assert "Jämlik styrning i praktiken" in html
    assert "22 November 2026" in html
    assert CODE in html


def test_the_page_says_nothing_else_about_the_person(client, issued, person):
    CertificateFactory(user=person, title="Hemlig annan kurs")  # their other certificates

    html = in_english(client).get(verify_url(CODE)).content.decode()

    for private in (person.email, person.username, "asa.private", "Hemlig annan kurs"):
        assert private not in html
    assert "mailto:" not in html


@pytest.mark.parametrize(
    "typed", ["7kq4-xm20-9d", "7kq4 xm20 9d", "7KQ4XM2O9D", "7kq4-xm2o-9d", " 7KQ4-XM20-9D "]
)
def test_codes_typed_loosely_still_match(client, issued, typed):
    response = client.get(verify_url(typed))

    assert response.status_code == 200
    assert b'data-verification="valid"' in response.content


def test_an_expired_certificate_says_so_with_the_date(client, issued):
    issued.expires_at = datetime(2026, 3, 5, 12, 0, tzinfo=STOCKHOLM)
    issued.save()

    html = in_english(client).get(verify_url(CODE)).content.decode()

    assert 'data-verification="expired"' in html
    assert "Expired on 5 March 2026" in html
    assert "Valid certificate" not in html
    assert "Valid until" not in html


def test_a_certificate_valid_until_a_date_shows_it(client, issued):
    issued.expires_at = timezone.now() + timedelta(days=400)
    issued.save()

    html = in_english(client).get(verify_url(CODE)).content.decode()

    assert 'data-verification="valid"' in html
    assert "Valid until" in html


def test_a_revoked_certificate_says_so_with_the_date_and_the_audit_log_has_why(client, issued):
    admin = SuperuserFactory()

    revoke_certificate(issued, user=admin, reason="Fusk vid provet")

    html = in_english(client).get(verify_url(CODE)).content.decode()
    assert 'data-verification="revoked"' in html
    with translation.override("en"):
        revoked_on = date_format(timezone.localtime(issued.revoked_at), "j F Y")
    assert f"Revoked on {revoked_on}" in html
    assert "Fusk vid provet" not in html  # the reason is for the audit log, not the public
    entry = ModelLogEntry.objects.get(action="certificates.revoke")
    assert entry.object_id == str(issued.pk)
    assert entry.user == admin
    assert entry.data == {"reason": "Fusk vid provet", "user_id": issued.user_id}


def test_revoking_needs_a_reason_and_happens_once(issued):
    admin = SuperuserFactory()
    with pytest.raises(ValueError):
        revoke_certificate(issued, user=admin, reason="   ")
    assert Certificate.objects.get(pk=issued.pk).revoked_at is None

    revoke_certificate(issued, user=admin, reason="Fel person")
    first = issued.revoked_at
    revoke_certificate(issued, user=admin, reason="Igen")

    issued.refresh_from_db()
    assert issued.revoked_at == first
    assert issued.revoked_reason == "Fel person"
    assert ModelLogEntry.objects.filter(action="certificates.revoke").count() == 1


def test_an_unknown_code_is_plainly_not_found(client, issued):
    response = in_english(client).get(verify_url("ZZZZ-ZZZZ-ZZ"))

    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-verification="not-found"' in html
    assert "No certificate has this code." in html
    assert "Åsa" not in html


def test_a_malformed_code_in_the_path_is_not_found(client):
    assert client.get(verify_url("hello")).status_code == 404


def test_the_31st_lookup_from_one_client_is_refused(client, issued):
    codes = [CODE, "ZZZZ-ZZZZ-ZZ"]  # found or not, every lookup counts
    for number in range(VERIFY_LIMIT):
        response = client.get(verify_url(codes[number % 2]))
        assert response.status_code in (200, 404)

    response = in_english(client).get(verify_url(CODE))

    assert VERIFY_LIMIT == 30
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"Too many checks" in response.content
    assert b"\xc3\x85sa" not in response.content  # not even a found code is shown
    # Another client is not affected.
    assert client.get(verify_url(CODE), REMOTE_ADDR="10.1.2.3").status_code == 200


# --- The learner's own certificates ------------------------------------------------------


@pytest.fixture
def ready(certified, learner, complete):
    return complete(learner, certified)


def test_my_certificates_lists_status_and_links(client, ready, learner):
    pending = CertificateFactory(user=learner, title="Modul på väg")
    CertificateFactory(title="Någon annans kurs")
    client.force_login(learner)

    response = in_english(client).get(reverse("certificates:mine"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Jämlik styrning i praktiken" in html
    assert "Modul på väg" in html
    assert "Någon annans kurs" not in html
    assert reverse("certificates:download", args=[ready.code]) in html
    assert reverse("certificates:detail", args=[ready.code]) in html
    assert reverse("certificates:download", args=[pending.code]) not in html
    row = html.split(f'data-certificate="{pending.code}"')[1].split("</tr>")[0]
    assert "Being prepared" in row
    row = html.split(f'data-certificate="{ready.code}"')[1].split("</tr>")[0]
    assert "Valid" in row


def test_my_certificates_needs_a_login(client):
    response = client.get(reverse("certificates:mine"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_owner_downloads_the_pdf(client, ready, learner):
    client.force_login(learner)

    response = client.get(reverse("certificates:download", args=[ready.code]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"intyg-{ready.code}.pdf" in response["Content-Disposition"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == pdf_bytes(ready)


def test_another_learner_gets_404(client, ready):
    client.force_login(UserFactory())

    assert client.get(reverse("certificates:download", args=[ready.code])).status_code == 404
    assert client.get(reverse("certificates:detail", args=[ready.code])).status_code == 404


def test_anonymous_is_sent_to_login(client, ready):
    url = reverse("certificates:download", args=[ready.code])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]


def test_a_pending_certificate_answers_409_being_prepared(client, learner):
    pending = CertificateFactory(user=learner)
    client.force_login(learner)

    response = in_english(client).get(reverse("certificates:download", args=[pending.code]))

    assert response.status_code == 409
    assert b"being prepared" in response.content


def test_the_html_view_renders_the_certificate(client, ready, learner):
    client.force_login(learner)

    response = client.get(reverse("certificates:detail", args=[ready.code.lower()]))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "<main" in html
    assert "Åsa Öberg-Lindqvist" in html
    assert "Jämlik styrning i praktiken" in html
    assert "22 november 2026" in html
    assert ready.code in html
    verify = f"http://testserver/certificates/verify/{ready.code}/"
    assert verify in html
    assert qr_svg_data_uri(verify) in html
    qr = re.search(r'<img class="qr" src="data:image/svg\+xml[^"]*" alt="([^"]+)">', html)
    assert qr, "the QR code is an inline SVG with a text alternative"
