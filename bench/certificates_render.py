"""Rendering one certificate: our renderer (safe URL fetcher, tagged PDF/UA-1, design with
QR code) vs bare weasyprint on the same HTML.

    .venv/bin/python bench/certificates_render.py [-n 30]

Prints p50/p95 (ms) of: building the context (placeholders, QR code as segno SVG), our
renderer (template + fetcher + pdf/ua-1), bare `HTML(string=html).write_pdf()`, and bare
with pdf/ua-1; the ratio ours/bare; and whether libharfbuzz-subset0 is installed (without
it font subsetting falls back to fontTools, several times slower).
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from _setup import django_test_database, percentile


def harfbuzz_subset() -> str:
    try:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status} ${Version}", "libharfbuzz-subset0"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        return "unknown (no dpkg)"
    if result.returncode == 0 and "install ok installed" in result.stdout:
        return "installed (" + result.stdout.rsplit(" ", 1)[-1] + ")"
    return "NOT installed"


def timed(fn: Callable[[], object], n: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=30)
    args = parser.parse_args()

    with django_test_database():
        from django.conf import settings
        from django.template.loader import render_to_string
        from weasyprint import HTML

        from tests.factories import CertificateDesignFactory, CertificateFactory
        from wagtail_learning.certificates.rendering import certificate_context, get_renderer

        design = CertificateDesignFactory(validity_months=36, revision=True)
        design.signatories.create(name="Kim Chef", title="HR-chef")
        design.save_revision()
        certificate = CertificateFactory(
            design=design,
            design_revision=design.latest_revision,
            learner_name="Åsa Öberg-Lindqvist",
            title="Jämlik styrning i praktiken",
        )
        renderer = get_renderer()
        context = certificate_context(certificate)
        html = render_to_string(renderer.template_name, {**context, "for_pdf": True})

        rendered = renderer.render(context)
        assert rendered.refused_urls == [], rendered.refused_urls
        # Bare weasyprint cannot resolve "/static/..." without a base URL: it warns once per
        # @font-face and falls back to system fonts. Quiet, and also measure it with the
        # fonts loaded through file:// by weasyprint's default fetcher (the same work ours
        # does through the safe fetcher).
        logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
        static_dir = Path(settings.STATICFILES_DIRS[0]).as_uri()
        html_file_fonts = html.replace('url("/static/', f'url("{static_dir}/')

        results = {
            "context (placeholders + QR)": timed(lambda: certificate_context(certificate), args.n),
            "ours (fetcher, pdf/ua-1)": timed(lambda: renderer.render(context), args.n),
            "bare write_pdf()": timed(lambda: HTML(string=html).write_pdf(), args.n),
            "bare write_pdf(pdf/ua-1)": timed(
                lambda: HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"), args.n
            ),
            "bare, fonts via file://": timed(
                lambda: HTML(string=html_file_fonts).write_pdf(), args.n
            ),
        }

        print(f"libharfbuzz-subset0: {harfbuzz_subset()}")
        print(f"N={args.n} each; PDF size ours {len(rendered.content) / 1024:.1f} KiB")
        for label, timings in results.items():
            print(
                f"{label:30s} p50 {percentile(timings, 0.5):7.1f} ms  "
                f"p95 {percentile(timings, 0.95):7.1f} ms"
            )
        ours = percentile(results["ours (fetcher, pdf/ua-1)"], 0.5)
        bare = percentile(results["bare write_pdf()"], 0.5)
        tagged = percentile(results["bare write_pdf(pdf/ua-1)"], 0.5)
        print(f"ratio p50 ours/bare: {ours / bare:.2f}")
        print(f"ratio p50 ours/bare pdf/ua-1: {ours / tagged:.2f}")
        fonts = percentile(results["bare, fonts via file://"], 0.5)
        print(f"ratio p50 ours/bare with the same fonts: {ours / fonts:.2f}")


if __name__ == "__main__":
    main()
