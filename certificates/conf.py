"""Certificates' own settings, read in one place with their defaults."""

from django.conf import settings


def renderer_path() -> str:
    """Dotted path of the class that renders certificate PDFs (a deployer may swap it)."""
    return getattr(settings, "CERTIFICATES_RENDERER", "certificates.rendering.WeasyPrintRenderer")


def client_ip_header() -> str:
    """The request header the reverse proxy sets to the client's address (never the client
    itself), e.g. HTTP_X_REAL_IP: LMS_CLIENT_IP_HEADER, else REMOTE_ADDR."""
    return getattr(settings, "LMS_CLIENT_IP_HEADER", "") or "REMOTE_ADDR"
