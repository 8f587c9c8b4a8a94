"""Turning a certificate (or a design with sample data) into HTML and PDF.

Models call into this module, so it never imports them (import-linter): a certificate and a
design arrive as arguments and are only read."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from wagtail.rich_text import expand_db_html

from wagtail_learning import defaults
from wagtail_learning.lms.api import public_url

from .contents import describe
from .css import css_problems
from .fetcher import BASE_URL, SafeURLFetcher

_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


@dataclass
class RenderedPdf:
    content: bytes
    refused_urls: list[str]


def verification_url(code: str) -> str:
    return public_url(reverse("certificates:verify_code", args=[code]))


def qr_svg_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def fill_placeholders(body_html: str, values: dict[str, str]) -> str:
    """Replace {placeholders} in rich text with escaped values; unknown ones stay as typed."""
    return _PLACEHOLDER_RE.sub(
        lambda m: html.escape(values[m.group(1)]) if m.group(1) in values else m.group(0),
        body_html,
    )


def _context(
    design,
    *,
    learner_name,
    title,
    course_title="",
    completed_at: datetime,
    estimated_hours,
    organisation,
    code,
    expires_at,
    language,
    kind,
    contents=(),
) -> dict:
    with translation.override(language):
        completed = date_format(timezone.localtime(completed_at), "j F Y")
        expires = date_format(timezone.localtime(expires_at), "j F Y") if expires_at else ""
    values = {
        "learner_name": learner_name,
        "title": title,
        "completion_date": completed,
        "estimated_hours": f"{estimated_hours:g}" if estimated_hours else "",
        "organisation": organisation,
        "contents": describe(contents, language),
        "contents_en": describe(contents, "en"),
    }
    body = fill_placeholders(expand_db_html(design.body or ""), values)
    url = verification_url(code)
    return {
        "design": design,
        "language": language,
        "kind": kind,
        "learner_name": learner_name,
        "title": title,
        "course_title": course_title,
        "completed_date": completed,
        "expires_date": expires,
        "organisation": organisation,
        "body": mark_safe(body),  # noqa: S308 - editor rich text; values are escaped
        "code": code,
        "verify_url": url,
        "qr_data_uri": qr_svg_data_uri(url),
        "signatories": list(design.signatories.all()) if design.pk else [],
        # CSS cannot close the <style> element when "<" is escaped the CSS way.
        "extra_css": mark_safe((design.extra_css or "").replace("<", "\\3C ")),  # noqa: S308
        # A design saved before its CSS was checked by a parser (or past clean()) may name
        # other hosts: the browser would fetch them, so the web page leaves such CSS out.
        # The PDF keeps it: its fetcher refuses foreign references and lists them.
        "extra_css_for_web": not css_problems(design.extra_css or ""),
    }


def certificate_context(certificate) -> dict:
    return _context(
        certificate.get_design(),
        learner_name=certificate.learner_name,
        title=certificate.title,
        course_title=certificate.course_title,
        completed_at=certificate.completed_at,
        estimated_hours=certificate.estimated_hours,
        organisation=certificate.organisation,
        code=certificate.code,
        expires_at=certificate.expires_at,
        language=certificate.language,
        kind=certificate.kind,
        contents=certificate.contents,
    )


def sample_context(design) -> dict:
    now = timezone.now()
    return _context(
        design,
        learner_name="Lena Exempelsson",
        title="Jämlikhet, normkritik och jämlik styrning",
        completed_at=now,
        estimated_hours=6,
        organisation=design.organisation or "Exempel kommun",
        code="EXMP-L3C0-DE",
        expires_at=design.expiry_for(now),
        language=design.language,
        kind="course",
        contents=[["lecture", 4], ["reading", 4], ["quiz", 4]],
    )


class WeasyPrintRenderer:
    """Renders certificate HTML to an accessible (tagged PDF/UA-1) PDF with weasyprint.

    Swap it through the CERTIFICATES_RENDERER setting (a dotted path)."""

    template_name = "certificates/certificate.html"

    def render(self, context: dict) -> RenderedPdf:
        from weasyprint import HTML

        html_string = render_to_string(self.template_name, {**context, "for_pdf": True})
        fetcher = SafeURLFetcher(timeout=5)
        document = HTML(string=html_string, base_url=BASE_URL, url_fetcher=fetcher)
        content = document.write_pdf(pdf_variant="pdf/ua-1")
        return RenderedPdf(content, fetcher.refused)


def get_renderer() -> WeasyPrintRenderer:
    return import_string(defaults.value("CERTIFICATES_RENDERER"))()


def render_certificate_pdf(certificate) -> RenderedPdf:
    return get_renderer().render(certificate_context(certificate))


def render_sample_pdf(design) -> bytes:
    return get_renderer().render(sample_context(design)).content
