"""Shared set-up for the certificate tests: a course with one module of one reading step,
whose completion issues a certificate, and helpers to read the PDF back."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.factories import (
    CertificateDesignFactory,
    CoursePageFactory,
    ModulePageFactory,
    enrolled_learner,
    reading_step,
)
from wagtail_learning.certificates.models import Certificate, CertificateDesign
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.lms import api as lms
from wagtail_learning.modules.models import ModulePage

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COMPLETED_AT = datetime(2026, 11, 22, 14, 30, tzinfo=STOCKHOLM)
COMPLETED_SV = "22 november 2026"


@dataclass
class CertifiedCourse:
    design: CertificateDesign
    course: CoursePage
    module: ModulePage
    step_id: str


def make_certified_course(**design_kwargs) -> CertifiedCourse:
    design = CertificateDesignFactory(**design_kwargs)
    course = CoursePageFactory(title="Jämlik styrning i praktiken", certificate_design=design)
    step = reading_step()
    module = ModulePageFactory(parent=course, steps=[step], title="Lagen och praktiken")
    return CertifiedCourse(design=design, course=course, module=module, step_id=step["id"])


@pytest.fixture
def certified():
    # These tests follow one certificate, the course's: without the default design the
    # module (which names none) issues nothing. The default has tests of its own
    # (test_default_design.py).
    CertificateDesign.objects.filter(is_default=True).delete()
    return make_certified_course(revision=True)


@pytest.fixture
def learner(certified):
    return enrolled_learner(
        certified.course, first_name="Åsa", last_name="Öberg-Lindqvist", username="asa"
    )


def complete_course(user, certified: CertifiedCourse, *, when: datetime = COMPLETED_AT) -> None:
    """Complete the only step of the only module: the module, then the course, completes."""
    assert lms.complete_step(user, module=certified.module, step_id=certified.step_id, now=when)


@pytest.fixture
def complete(django_capture_on_commit_callbacks):
    """complete(user, certified): complete the course and run the on-commit hooks, as a
    real request's commit would (the hooks issue; issuing enqueues; sync mode renders)."""

    def run(user, certified: CertifiedCourse, *, when: datetime = COMPLETED_AT):
        with django_capture_on_commit_callbacks(execute=True):
            complete_course(user, certified, when=when)
        return Certificate.objects.get(user=user, page_id=certified.course.pk)

    return run


def pdf_bytes(certificate: Certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """The PDF's text, whitespace collapsed (line breaks fall where the layout puts them)."""
    text = "\n".join(page.extract_text() or "" for page in pdf_reader(data).pages)
    return " ".join(text.split())
