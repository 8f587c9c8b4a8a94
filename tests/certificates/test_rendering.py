"""The PDF is accessible (tagged PDF/UA-1 with title and language, text extractable) and
what editors and learners type cannot change its markup."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.template.loader import render_to_string

from wagtail_learning.certificates.rendering import (
    WeasyPrintRenderer,
    certificate_context,
    fill_placeholders,
)

from .conftest import COMPLETED_SV, pdf_bytes, pdf_reader, pdf_text

pytestmark = pytest.mark.django_db


def structure(node, found=None):
    """Every structure element below `node`: (role, alt text) pairs, depth first."""
    found = [] if found is None else found
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for child in node:
            structure(child, found)
    elif hasattr(node, "get"):
        if node.get("/S"):
            found.append((str(node["/S"]), node.get("/Alt")))
        if node.get("/K") is not None:
            structure(node["/K"], found)
    return found


@pytest.fixture
def ready(certified, learner, complete):
    return complete(learner, certified)


def test_the_pdf_is_tagged_with_title_and_language(ready):
    reader = pdf_reader(pdf_bytes(ready))
    catalog = reader.trailer["/Root"]

    assert catalog["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "sv"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == "Intyg: Jämlik styrning i praktiken – Åsa Öberg-Lindqvist"
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()


def test_the_structure_has_a_heading_paragraphs_and_a_described_qr_code(ready):
    elements = structure(pdf_reader(pdf_bytes(ready)).trailer["/Root"]["/StructTreeRoot"])
    roles = [role for role, _alt in elements]

    assert roles[0] == "/Document"
    assert "/H1" in roles
    assert roles.count("/P") >= 4
    figures = [alt for role, alt in elements if role == "/Figure"]
    assert figures and all(figures), "every figure (the QR code) has a text alternative"


def test_the_text_is_extractable_in_reading_order(ready):
    text = pdf_text(pdf_bytes(ready))

    name, title, date, code = (
        text.index("Åsa Öberg-Lindqvist"),
        text.index("Jämlik styrning i praktiken"),
        text.index(COMPLETED_SV),
        text.index(ready.code),
    )
    assert text.startswith("Intyg")
    assert name < title < date < code


PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(not PDFTOTEXT, reason="poppler-utils not installed")
def test_pdftotext_reads_it_too(ready):
    output = subprocess.run(  # noqa: S603 - a fixed binary on our own file
        [PDFTOTEXT, "-enc", "UTF-8", ready.pdf.path, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    for expected in ("Åsa Öberg-Lindqvist", "Jämlik styrning i praktiken", COMPLETED_SV):
        assert expected in output
    assert ready.code in output


def test_a_landscape_a4_page(ready):
    [page] = pdf_reader(pdf_bytes(ready)).pages
    width, height = float(page.mediabox.width), float(page.mediabox.height)

    assert (round(width), round(height)) == (842, 595)


def test_what_learners_and_editors_type_is_text_not_markup(certified, learner, complete):
    learner.first_name = "<b>Åsa</b> & {title}"
    learner.save()
    certified.design.extra_css = "</style><p>injected</p><style>"
    certified.design.save()
    certified.design.save_revision(clean=False)

    certificate = complete(learner, certified)
    page = render_to_string(WeasyPrintRenderer.template_name, certificate_context(certificate))

    assert "<b>Åsa</b>" not in page
    assert "&lt;b&gt;Åsa&lt;/b&gt; &amp; {title}" in page
    assert "</style><p>injected" not in page
    text = pdf_text(pdf_bytes(certificate))
    assert "<b>Åsa</b> & {title}" in text
    assert "injected" not in text


def test_placeholders_are_filled_escaped_and_unknown_ones_left_as_typed():
    filled = fill_placeholders(
        "<p>{learner_name} – {title} – {unknown}</p>",
        {"learner_name": "A <b>", "title": "T & U"},
    )

    assert filled == "<p>A &lt;b&gt; – T &amp; U – {unknown}</p>"
