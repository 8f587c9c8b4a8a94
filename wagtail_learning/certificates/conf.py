"""Certificates' own settings, read in one place with their defaults."""

from wagtail_learning.defaults import value


def renderer_path() -> str:
    """Dotted path of the class that renders certificate PDFs (a deployer may swap it)."""
    return value("CERTIFICATES_RENDERER")
