"""SAML 2.0 (filled in below)."""

from .errors import SignInRefused


def start(request, provider, *, next_url):
    raise SignInRefused("SAML not available yet", status=404)


def accept_response(request, provider):
    raise SignInRefused("SAML not available yet", status=404)


def take_answer(request):
    raise SignInRefused("SAML not available yet", status=404)


def sp_metadata(request, provider):
    raise SignInRefused("SAML not available yet", status=404)


def logout_url(request, provider, info):
    return None
