"""Certificates' own settings, read in one place with their defaults."""

from django.conf import settings


def renderer_path() -> str:
    """Dotted path of the class that renders certificate PDFs (a deployer may swap it)."""
    return getattr(
        settings,
        "CERTIFICATES_RENDERER",
        "wagtail_learning.certificates.rendering.WeasyPrintRenderer",
    )
