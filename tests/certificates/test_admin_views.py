"""The admin: the certificates listing (with the error of a failed one), revoking with a
reason, rendering again, and the design snippet's PDF preview."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from tests.factories import (
    CertificateDesignFactory,
    CertificateFactory,
    SuperuserFactory,
    UserFactory,
    in_english,
)
from wagtail_learning.certificates.models import Certificate
from wagtail_learning.certificates.rendering import WeasyPrintRenderer

from .conftest import pdf_reader, pdf_text

pytestmark = pytest.mark.django_db

INDEX = "/admin/certificates/"
PREVIEW = "wagtailsnippets_certificates_certificatedesign:preview_on_edit"


@pytest.fixture
def admin_client(client):
    client.force_login(SuperuserFactory())
    return in_english(client)


@pytest.fixture
def failed(certified, learner, complete, monkeypatch):
    def broken(self, context):
        raise RuntimeError("font cache locked (simulated)")

    with monkeypatch.context() as patch:
        patch.setattr(WeasyPrintRenderer, "render", broken)
        with pytest.raises(RuntimeError):
            complete(learner, certified)
    certificate = Certificate.objects.get(user=learner)
    assert certificate.status == Certificate.Status.FAILED
    return certificate


def test_the_listing_shows_certificates_with_status_and_error(admin_client, failed):
    ready = CertificateFactory(status=Certificate.Status.READY, learner_name="Rut Redo")

    response = admin_client.get(INDEX)

    assert response.status_code == 200
    html = response.content.decode()
    assert failed.code in html
    assert ready.code in html
    assert "font cache locked (simulated)" in html
    assert reverse("certificates_certificate:rerender", args=[failed.pk]) in html
    assert reverse("certificates_certificate:rerender", args=[ready.pk]) not in html
    assert reverse("certificates_certificate:revoke", args=[ready.pk]) in html


def test_the_listing_filters_by_status(admin_client, failed):
    ready = CertificateFactory(status=Certificate.Status.READY)

    html = admin_client.get(INDEX, {"status": "failed"}).content.decode()

    assert failed.code in html
    assert ready.code not in html
    html = admin_client.get(INDEX, {"status": "ready"}).content.decode()
    assert ready.code in html
    assert failed.code not in html


def test_the_inspect_page_shows_the_error(admin_client, failed):
    response = admin_client.get(reverse("certificates_certificate:inspect", args=[failed.pk]))

    assert response.status_code == 200
    assert b"font cache locked (simulated)" in response.content


@pytest.mark.parametrize("view", ["inspect", "history", "usage"])
def test_the_read_only_views_render(admin_client, view):
    certificate = CertificateFactory()

    response = admin_client.get(reverse(f"certificates_certificate:{view}", args=[certificate.pk]))

    assert response.status_code == 200


def test_no_add_or_edit_views(admin_client):
    from django.urls import NoReverseMatch

    for name in ("add", "edit", "delete", "copy"):
        with pytest.raises(NoReverseMatch):
            reverse(f"certificates_certificate:{name}", args=[1] if name != "add" else [])


def test_a_learner_cannot_reach_the_listing(client):
    client.force_login(UserFactory())

    response = client.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_revoking_requires_a_reason(admin_client):
    certificate = CertificateFactory(status=Certificate.Status.READY)
    url = reverse("certificates_certificate:revoke", args=[certificate.pk])

    assert admin_client.get(url).status_code == 200
    for data in ({}, {"reason": "   "}):
        response = admin_client.post(url, data)
        assert response.status_code == 400
        assert b"This field is required" in response.content

    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert not ModelLogEntry.objects.filter(action="certificates.revoke").exists()


def test_revoking_logs_it(admin_client):
    certificate = CertificateFactory(status=Certificate.Status.READY)

    response = admin_client.post(
        reverse("certificates_certificate:revoke", args=[certificate.pk]),
        {"reason": "Utfärdat till fel person"},
    )

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.is_revoked
    assert certificate.revoked_reason == "Utfärdat till fel person"
    entry = ModelLogEntry.objects.get(action="certificates.revoke")
    assert entry.object_id == str(certificate.pk)
    assert entry.data["reason"] == "Utfärdat till fel person"
    history = admin_client.get(reverse("certificates_certificate:history", args=[certificate.pk]))
    assert b"Certificate revoked" in history.content


def test_an_editor_without_the_permission_cannot_revoke(client):
    from django.contrib.auth.models import Permission

    editor = UserFactory()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    certificate = CertificateFactory(status=Certificate.Status.READY)

    response = client.post(
        reverse("certificates_certificate:revoke", args=[certificate.pk]), {"reason": "x"}
    )

    assert response.status_code == 302  # Wagtail's answer to PermissionDenied: back to /admin/
    assert response["Location"] == "/admin/"
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_rendering_a_failed_certificate_again(
    admin_client, failed, django_capture_on_commit_callbacks
):
    url = reverse("certificates_certificate:rerender", args=[failed.pk])
    assert b"font cache locked (simulated)" in admin_client.get(url).content

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Certificate.Status.READY
    assert failed.render_attempts == 2
    assert failed.last_error == ""
    assert failed.code in pdf_text(failed.pdf.read())
    assert ModelLogEntry.objects.filter(action="certificates.rerender").count() == 1


# --- The design snippet's preview ---------------------------------------------------------


def design_form_data(**overrides) -> dict:
    data = {
        "name": "Förhandsvisning",
        "page_size": "A4",
        "orientation": "landscape",
        "language": "sv",
        "validity_months": "",
        "heading": "Förhandsvisat intyg",
        "body": rich_text("<p>{learner_name} har genomfört {title}.</p>"),
        "organisation": "Exempel kommun",
        "signatories": inline_formset([{"name": "Kim Chef", "title": "HR-chef"}]),
        "extra_css": "",
    }
    data.update(overrides)
    return nested_form_data(data)


def test_the_design_preview_renders_a_pdf_from_the_form(admin_client):
    design = CertificateDesignFactory(revision=True)
    url = reverse(PREVIEW, args=[design.pk])

    posted = admin_client.post(url, design_form_data())
    assert posted.json() == {"is_valid": True, "is_available": True}
    response = admin_client.get(url, {"mode": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Förhandsvisat intyg" in text
    assert "Lena Exempelsson har genomfört" in text
    assert "Kim Chef" in text
    html = admin_client.get(url, {"mode": ""})
    assert html["Content-Type"].startswith("text/html")
    assert b"Lena Exempelsson" in html.content


def test_the_preview_refuses_a_form_with_foreign_references(admin_client):
    design = CertificateDesignFactory(revision=True)
    url = reverse(PREVIEW, args=[design.pk])

    posted = admin_client.post(url, design_form_data(extra_css='@import "file:///etc/passwd";'))

    assert posted.json()["is_valid"] is False


def test_serve_preview_pdf_directly():
    design = CertificateDesignFactory(heading="Direkt")
    request = RequestFactory().get("/")
    request.user = SuperuserFactory()

    response = design.serve_preview(request, "pdf")

    assert response["Content-Type"] == "application/pdf"
    reader = pdf_reader(response.content)
    assert "Direkt" in pdf_text(response.content)
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]


# --- Swedish labels, real dates, local time (issue 9) -------------------------------------


@pytest.fixture
def swedish_admin(client):
    client.force_login(SuperuserFactory())
    client.cookies["django_language"] = "sv"
    return client


@pytest.fixture
def module_certificate():
    from datetime import UTC, datetime

    # 23:30 UTC on 12 March is already 13 March in Stockholm.
    return CertificateFactory(
        status=Certificate.Status.READY,
        kind=Certificate.Kind.MODULE,
        title="Grundmodul",
        completed_at=datetime(2026, 3, 12, 23, 30, tzinfo=UTC),
        expires_at=datetime(2029, 3, 12, 23, 30, tzinfo=UTC),
    )


def test_the_listing_shows_dates_not_time_since_and_swedish_labels(
    swedish_admin, module_certificate
):
    response = swedish_admin.get(INDEX)

    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index(module_certificate.code) :]
    row = _text(row[: row.index("</tr>")])
    # The expiry date itself, in Stockholm, not "just now"; Swedish month abbreviations
    # ("mars", not "Mar", which reads as English).
    assert "13 mars 2029" in row
    assert "13 mars 2026" in row
    assert "Precis nu" not in _text(html) and "sedan" not in row
    words = row.split()
    assert "Modul" in words and "Klart" in words and "Giltigt" in words
    for english in ("ready", "READY", "valid", "module", "None"):
        assert english not in words


def test_the_inspect_view_shows_local_time_and_labels(swedish_admin, module_certificate):
    response = swedish_admin.get(f"{INDEX}inspect/{module_certificate.pk}/")

    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "13 mars 2029 00:30" in text  # Europe/Stockholm, not 12 March 23:30 UTC
    assert "13 mars 2026 00:30" in text
    assert "Typ Modul" in text and "Status Klart" in text
    assert "None" not in text.split()


def _text(html: str) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
