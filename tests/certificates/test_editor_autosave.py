"""Wagtail's autosave and the Save button on a certificate design (issue 21), at the HTTP
level: the two requests in both orders, as they reach the server from one editor form."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from tests.factories import SuperuserFactory, in_english
from wagtail_learning.certificates.models import CertificateDesign

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_certificates_certificatedesign:add"
EDIT = "wagtailsnippets_certificates_certificatedesign:edit"
AUTOSAVE = {"HTTP_ACCEPT": "application/json"}  # how Wagtail's autosave posts the form


@pytest.fixture
def admin_client(client):
    client.force_login(SuperuserFactory())
    return in_english(client)


def form(body: str, **fields) -> dict:
    data = {
        "name": "Intyg för vårdkursen",
        "page_size": "A4",
        "orientation": "landscape",
        "language": "sv",
        "validity_months": "",
        "heading": "Intyg",
        "body": rich_text(body),
        "organisation": "",
        "signatories": inline_formset([]),
        "extra_css": "",
    }
    data.update(fields)
    return nested_form_data(data)


def test_a_quick_save_with_the_text_not_yet_copied_is_refused_not_saved_empty(admin_client):
    # Draftail copies what was typed into the form 250 ms after the last key: a Save (or an
    # autosave) before that sends one empty paragraph. It was saved as a design without words.
    saved = admin_client.post(reverse(ADD), form("<p></p>"))
    autosaved = admin_client.post(reverse(ADD), form("<p></p>"), **AUTOSAVE)

    assert saved.status_code == 200
    assert "This field is required." in saved.context["form"].errors["body"]
    assert autosaved.status_code == 400
    assert autosaved.json()["error_code"] == "validation_error"
    assert not CertificateDesign.objects.filter(name="Intyg för vårdkursen").exists()


def test_the_create_view_holds_save_while_an_autosave_is_in_flight(admin_client):
    # The mechanism is in the browser (static/js/editor-save.js): the create form loads it.
    response = admin_client.get(reverse(ADD))

    assert 'data-controller="w-unsaved w-autosave"' in response.content.decode()
    assert "js/editor-save.js" in response.content.decode()


def _created_by_autosave(admin_client, body):
    response = admin_client.post(reverse(ADD), form(body), **AUTOSAVE)
    assert response.json()["success"] is True
    design = CertificateDesign.objects.get(pk=response.json()["pk"])
    assert response.json()["url"] == reverse(EDIT, args=[design.pk])
    return design


def test_autosave_then_save_keeps_the_last_words(admin_client):
    design = _created_by_autosave(admin_client, "<p>{learner_name} har gått</p>")

    # The Save waits for the autosave's answer and goes to the edit view it names.
    saved = admin_client.post(
        reverse(EDIT, args=[design.pk]),
        form(
            "<p>{learner_name} har gått kursen.</p>",
            loaded_revision_id=design.latest_revision_id,
            loaded_revision_created_at=design.latest_revision.created_at.isoformat(),
        ),
    )

    assert saved.status_code == 302
    assert CertificateDesign.objects.count() == 2  # the default design and this one
    design.refresh_from_db()
    assert design.body.endswith("har gått kursen.</p>")


def test_save_then_a_late_autosave_does_not_take_the_words_back(admin_client):
    design = _created_by_autosave(admin_client, "<p>{learner_name} har gått</p>")
    loaded = {
        "loaded_revision_id": design.latest_revision_id,
        "loaded_revision_created_at": design.latest_revision.created_at.isoformat(),
    }
    admin_client.post(
        reverse(EDIT, args=[design.pk]), form("<p>{learner_name} har gått kursen.</p>", **loaded)
    )

    late = admin_client.post(
        reverse(EDIT, args=[design.pk]),
        form(
            "<p>{learner_name} har gått</p>",
            **loaded,
            overwrite_revision_id=loaded["loaded_revision_id"],
        ),
        **AUTOSAVE,
    )

    assert late.status_code in (400, 409)
    design.refresh_from_db()
    assert design.body.endswith("har gått kursen.</p>")
