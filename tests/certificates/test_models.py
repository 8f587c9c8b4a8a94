"""What a design may contain (checked when an editor saves it), and the certificate's
validity as the verification page reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import CertificateDesignFactory
from wagtail_learning.certificates.codes import ALPHABET, new_code, normalise_code
from wagtail_learning.certificates.models import Certificate, CertificateDesign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "css, refused",
    [
        ('@import "file:///etc/passwd";', "file:///etc/passwd"),
        ("@import url(file:///etc/passwd);", "file:///etc/passwd"),
        (
            ".a { background: url('http://169.254.169.254/latest/meta-data/') }",
            "http://169.254.169.254/latest/meta-data/",
        ),
        (".a { background: url(https://example.com/x.png) }", "https://example.com/x.png"),
        ('.a { background: url("/static/../../etc/passwd") }', "/static/../../etc/passwd"),
        (".a { background: URL( /etc/passwd ) }", "/etc/passwd"),
    ],
)
def test_extra_css_may_not_reference_other_files(css, refused):
    design = CertificateDesignFactory.build(extra_css=css)

    with pytest.raises(ValidationError) as raised:
        design.full_clean()

    [message] = raised.value.message_dict["extra_css"]
    assert refused in message
    # The message names what to use instead (Swedish first; English in English).
    assert "Bara filer under /static/ och /media/ samt data:-adresser kan användas." in message


def test_extra_css_may_reference_our_files_and_data_urls():
    design = CertificateDesignFactory.build(
        extra_css=(
            "@font-face { font-family: X; "
            'src: url("/static/wagtail_learning/fonts/DejaVuSans.ttf"); }\n'
            ".a { background: url(/media/images/paper.png); }\n"
            ".b { background: url('data:image/png;base64,iVBORw0KGgo='); }"
        )
    )

    design.full_clean()


def test_unknown_placeholders_in_the_body_are_refused():
    design = CertificateDesignFactory.build(
        body="<p>{learner_name} fick {grade} i {title} ({personnummer}).</p>"
    )

    with pytest.raises(ValidationError) as raised:
        design.full_clean()

    [message] = raised.value.message_dict["body"]
    assert "{grade}, {personnummer}" in message
    assert "{learner_name}" in message  # the list of what can be used


def test_known_placeholders_pass():
    CertificateDesignFactory.build(
        body="<p>{learner_name} {title} {completion_date} {estimated_hours} {organisation}</p>"
    ).full_clean()


# --- Codes -------------------------------------------------------------------------------


def test_codes_are_short_typable_and_unambiguous():
    codes = {new_code() for _ in range(500)}

    assert len(codes) == 500
    for code in codes:
        assert len(code) == 12 and code[4] == code[9] == "-"
        assert set(code.replace("-", "")) <= set(ALPHABET)
        assert not set(code) & set("ILOU")
        assert normalise_code(code) == code


@pytest.mark.parametrize(
    "typed", ["7kq4-xm2p-9d", " 7KQ4 XM2P 9D ", "7kq4xm2p9d", "7KQ4-XM2P-9D\n"]
)
def test_codes_as_people_type_them(typed):
    assert normalise_code(typed) == "7KQ4-XM2P-9D"


def test_look_alike_letters_read_as_digits():
    assert normalise_code("O0IL-ABCD-EF") == "0011-ABCD-EF"


@pytest.mark.parametrize("typed", ["", "7KQ4-XM2P", "7KQ4-XM2P-9DX", "7KQ4-XM2P-9!", "ÅÄÖ"])
def test_malformed_codes_normalise_to_nothing(typed):
    assert normalise_code(typed) == ""


# --- Validity ----------------------------------------------------------------------------


def test_validity_order_revoked_then_expired_then_valid():
    now = timezone.now()
    certificate = Certificate(completed_at=now, expires_at=None)
    assert certificate.validity == "valid"
    certificate.expires_at = now + timedelta(days=1)
    assert certificate.validity == "valid"
    certificate.expires_at = now - timedelta(seconds=1)
    assert certificate.validity == "expired"
    certificate.revoked_at = now
    assert certificate.validity == "revoked"


def test_valid_until_is_the_expiry_only_while_the_certificate_is_valid():
    now = timezone.now()
    certificate = Certificate(completed_at=now, expires_at=None)
    assert certificate.valid_until is None
    certificate.expires_at = now + timedelta(days=30)
    assert certificate.valid_until == certificate.expires_at
    certificate.revoked_at = now
    assert certificate.valid_until is None


def test_a_design_dates_the_expiry_from_the_completion_by_calendar_months():
    completed = datetime(2026, 1, 31, 12, tzinfo=UTC)
    assert CertificateDesign(validity_months=1).expiry_for(completed) == datetime(
        2026, 2, 28, 12, tzinfo=UTC
    )
    assert CertificateDesign(validity_months=None).expiry_for(completed) is None
