"""A certificate is a PDF/UA-1 file a screen reader can use, checked in the produced file:
tagged, titled (and the viewer shows the title), in Swedish, every figure described and
nothing decorative announced as a figure (issue 25)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from .conftest import pdf_bytes, pdf_reader

pytestmark = pytest.mark.django_db

TITLE = "Intyg: Jämlik styrning i praktiken – Åsa Öberg-Lindqvist"


def image(title: str, description: str = ""):
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 20), (11, 61, 107)).save(buffer, "PNG")
    return get_image_model().objects.create(
        title=title, description=description, file=ImageFile(buffer, name=f"{title}.png")
    )


def figures(node, found=None) -> list:
    """The /Alt of every /Figure in the structure tree below `node`, in reading order."""
    found = [] if found is None else found
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for child in node:
            figures(child, found)
    elif hasattr(node, "get"):
        if node.get("/S") == "/Figure":
            found.append(node.get("/Alt"))
        if node.get("/K") is not None:
            figures(node["/K"], found)
    return found


@pytest.fixture
def dressed(certified):
    """The course's design with a logo, a background picture and a signature."""
    design = certified.design
    design.logo = image("logo-huddinge", description="Huddinge kommuns logotyp")
    design.background = image("bakgrund")
    design.organisation = "Huddinge kommun"
    design.save()
    design.signatories.create(name="Eva Lind", title="HR-chef", signature=image("namnteckning"))
    design.save_revision()
    return certified


def test_the_certificate_is_tagged_titled_swedish_and_marked_as_pdf_ua(dressed, learner, complete):
    reader = pdf_reader(pdf_bytes(complete(learner, dressed)))
    catalog = reader.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data().decode()

    assert catalog["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "sv"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == TITLE
    assert re.search(r"<dc:title>.*" + re.escape(TITLE) + r".*</dc:title>", xmp, re.S)
    assert 'pdfuaid:part="1"' in xmp


def test_every_figure_is_described_and_the_background_is_no_figure(dressed, learner, complete):
    root = pdf_reader(pdf_bytes(complete(learner, dressed))).trailer["/Root"]

    # The logo says what its image description says; the background picture is decoration
    # (an artifact, not a figure without words a screen reader would stop at).
    assert figures(root["/StructTreeRoot"]) == [
        "Huddinge kommuns logotyp",
        "Namnteckning av Eva Lind",
        "QR-kod som leder till verifieringssidan",
    ]


def test_a_logo_without_a_description_is_named_by_the_organisation(certified, learner, complete):
    certified.design.logo = image("logo.png")
    certified.design.organisation = "Botkyrka kommun"
    certified.design.save()
    certified.design.save_revision()

    root = pdf_reader(pdf_bytes(complete(learner, certified))).trailer["/Root"]

    assert figures(root["/StructTreeRoot"])[0] == "Logotyp: Botkyrka kommun"
