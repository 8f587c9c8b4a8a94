"""Certificates reach the people who earn them (issue 9): a default design ships with the
product, completions without a design of their own get it, and completions earned while no
design applied get their certificate later, once, through the task queue."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from tests.factories import (
    CertificateDesignFactory,
    CoursePageFactory,
    ModulePageFactory,
    enrolled_learner,
)
from wagtail_learning.certificates import services
from wagtail_learning.certificates.models import Certificate, CertificateDesign
from wagtail_learning.lms.models import Completion

from .conftest import COMPLETED_SV, CertifiedCourse, complete_course, pdf_bytes, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_language():
    """Swedish pages activate Swedish for the thread; later tests expect what was active."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def plain():
    """A course and its one module, neither naming a certificate design."""
    from tests.factories import reading_step

    course = CoursePageFactory(title="Jämlik styrning i praktiken")
    step = reading_step()
    module = ModulePageFactory(parent=course, steps=[step], title="Grundmodul")
    return CertifiedCourse(design=None, course=course, module=module, step_id=step["id"])


@pytest.fixture
def learner(plain):
    return enrolled_learner(plain.course, first_name="Åsa", last_name="Öberg", username="asa")


def completions_without_certificate() -> int:
    return Completion.objects.filter(certificate__isnull=True).count()


# --- The default design ------------------------------------------------------------------


def test_migrate_creates_one_default_design_in_swedish_and_english():
    default = CertificateDesign.objects.get(is_default=True)

    assert CertificateDesign.get_default() == default
    assert (default.page_size, default.orientation, default.language) == ("A4", "landscape", "sv")
    assert default.heading == "Intyg"
    assert "har genomfört" in default.body and "has successfully completed" in default.body
    default.full_clean()  # editable: what the migration wrote passes the editor's form rules


def test_only_one_design_can_be_the_default():
    second = CertificateDesignFactory()
    second.is_default = True

    with translation.override("sv"), pytest.raises(ValidationError, match="redan standard"):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


# --- Issuing with the default ------------------------------------------------------------


def test_a_completion_without_a_page_design_gets_a_certificate_in_the_default(
    plain, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, plain)

    default = CertificateDesign.get_default()
    course_cert = Certificate.objects.get(user=learner, kind="course")
    module_cert = Certificate.objects.get(user=learner, kind="module")
    assert course_cert.design == default and module_cert.design == default
    assert (course_cert.course_title, module_cert.course_title) == (
        "", "Jämlik styrning i praktiken",
    )  # fmt: skip
    assert module_cert.status == Certificate.Status.READY
    text = pdf_text(pdf_bytes(module_cert))
    assert "Grundmodul" in text
    assert "Modul i kursen Jämlik styrning i praktiken" in text
    assert "Åsa Öberg har genomfört utbildningen" in text
    assert COMPLETED_SV in text and module_cert.code in text


def test_the_pdf_is_one_a4_landscape_page(plain, learner, django_capture_on_commit_callbacks):
    from .conftest import pdf_reader

    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, plain)

    reader = pdf_reader(pdf_bytes(Certificate.objects.get(kind="course")))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_a_page_design_wins_over_the_default(plain, learner, django_capture_on_commit_callbacks):
    own = CertificateDesignFactory(name="Kommunens mall")
    plain.course.certificate_design = own
    plain.course.save()

    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, plain)

    assert Certificate.objects.get(kind="course").design == own
    assert Certificate.objects.get(kind="module").design == CertificateDesign.get_default()


# --- Back-issuing ------------------------------------------------------------------------


@pytest.fixture
def earned_without_design(plain, learner, django_capture_on_commit_callbacks):
    """The learner completed the course and module while no design applied (the default
    had been deleted): completions, no certificates."""
    CertificateDesign.objects.filter(is_default=True).delete()
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, plain)
    assert Completion.objects.filter(user=learner).count() == 2
    assert not Certificate.objects.exists()
    return plain


def publish(page, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()


def test_attaching_a_design_back_issues_exactly_once_however_often_it_runs(
    earned_without_design, learner, django_capture_on_commit_callbacks
):
    course = earned_without_design.course
    course.certificate_design = CertificateDesignFactory(name="Kommunens mall", revision=True)

    publish(course, django_capture_on_commit_callbacks)
    publish(course, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.back_issue_certificates(page=course)

    certificate = Certificate.objects.get(user=learner, kind="course")  # one, not three
    assert certificate.design == course.certificate_design
    assert certificate.status == Certificate.Status.READY
    # The module names no design and there is no default: it still has none.
    assert completions_without_certificate() == 1


def test_the_same_completion_queued_twice_gets_one_certificate(
    earned_without_design, learner, django_capture_on_commit_callbacks
):
    CertificateDesignFactory(name="Ny standard", is_default=True)
    completion = Completion.objects.get(user=learner, kind="course")

    with django_capture_on_commit_callbacks(execute=True):
        first = services.issue_certificate_for_completion(completion.pk)
        second = services.issue_certificate_for_completion(completion.pk)

    assert first == second
    assert Certificate.objects.filter(completion=completion).count() == 1


def test_the_periodic_sweep_back_issues_once_a_default_exists(
    earned_without_design, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_certificates()
    assert not Certificate.objects.exists(), "no design applies: nothing to issue"

    default = CertificateDesignFactory(name="Ny standard", is_default=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_certificates()
        services.sweep_certificates()

    assert Certificate.objects.filter(user=learner, design=default).count() == 2
    assert completions_without_certificate() == 0
    assert all(c.status == Certificate.Status.READY for c in Certificate.objects.all())


def test_back_issuing_is_queued_as_one_task_per_completion(
    earned_without_design, learner, monkeypatch
):
    CertificateDesignFactory(name="Ny standard", is_default=True)
    queued = []
    monkeypatch.setattr(
        "django_q.tasks.async_task", lambda func, *args, **kwargs: queued.append((func, args))
    )

    assert services.back_issue_certificates() == 2

    completions = Completion.objects.filter(user=learner).order_by("completed_at", "pk")
    assert queued == [
        ("wagtail_learning.certificates.tasks.issue_certificate_task", (c.pk,)) for c in completions
    ]
    assert not Certificate.objects.exists(), "the tasks issue, not the caller"


def test_no_back_issue_for_inactive_accounts(
    earned_without_design, learner, django_capture_on_commit_callbacks
):
    """An anonymised person's account is inactive: a certificate issued now would print
    its placeholder username."""
    CertificateDesignFactory(name="Ny standard", is_default=True)
    learner.is_active = False
    learner.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.back_issue_certificates() == 0

    assert not Certificate.objects.exists()


# --- The learner finds "Mina intyg" ------------------------------------------------------


def test_my_certificates_is_in_the_navigation_for_logged_in_users(client, learner, plain):
    assert "/certificates/mine/" not in client.get(plain.course.url).content.decode()

    client.force_login(learner)
    with translation.override("sv"):
        html = client.get(plain.course.url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()

    assert '<a href="/certificates/mine/">Mina intyg</a>' in html


def test_the_page_of_a_completed_course_and_module_leads_to_the_certificates(
    client, learner, plain, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    before = client.get(plain.course.url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "data-certificates-link" not in before

    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, plain)

    for page in (plain.course, plain.module):
        html = client.get(page.url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
        assert "data-certificates-link" in html, page
        assert "Ditt intyg finns under Mina intyg" in html

    mine = client.get("/certificates/mine/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Modul i kursen Jämlik styrning i praktiken" in mine


def test_the_default_text_names_what_the_module_really_contained(
    plain, learner, django_capture_on_commit_callbacks
):
    """The default design said "föreläsning, läsning, reflektion och kunskapstest" of a
    module that was one reading (issue 21)."""
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, plain)

    module_cert = Certificate.objects.get(user=learner, kind="module")
    assert module_cert.contents == [["reading", 1]]
    text = " ".join(pdf_text(pdf_bytes(module_cert)).split())
    assert "Den omfattade läsning." in text
    assert "which comprised reading." in text
    for claim in ("föreläsning", "reflektion", "kunskapstest", "lecture", "knowledge test"):
        assert claim not in text


def test_the_contents_count_every_required_step_of_the_course_in_words_of_its_language():
    from tests.factories import LectureFactory, QuizFactory, lecture_step, quiz_step, reading_step
    from wagtail_learning.certificates.contents import describe, step_kinds

    course = CoursePageFactory(title="Fyra moduler")
    lecture = LectureFactory()
    ModulePageFactory(parent=course, steps=[lecture_step(lecture), reading_step()])
    optional = reading_step(required=False)
    ModulePageFactory(
        parent=course, steps=[lecture_step(lecture), quiz_step(QuizFactory()), optional]
    )

    kinds = step_kinds(course.specific)

    assert kinds == [["lecture", 2], ["reading", 1], ["quiz", 1]]
    assert describe(kinds, "sv") == "inspelade föreläsningar, läsning och kunskapstest"
    assert describe(kinds, "en") == "recorded lectures, reading and knowledge test"
    assert describe([], "sv") == "utbildningens moment"
