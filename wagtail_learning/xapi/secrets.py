"""The LRS secret at rest: encrypted (Fernet) with a key derived from SECRET_KEY, so a copy
of the database alone does not give the LRS's credentials. Keys in SECRET_KEY_FALLBACKS
still decrypt, so rotating SECRET_KEY the Django way keeps the stored secrets readable."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["decrypt_secret", "encrypt_secret"]

_PURPOSE = b"wagtail_learning.xapi.lrs-secret:"


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(_PURPOSE + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def encrypt_secret(plain: str) -> str:
    return _keys().encrypt(plain.encode()).decode() if plain else ""


def decrypt_secret(token: str) -> str:
    """The plain secret; "" when none is stored or it no longer decrypts (SECRET_KEY
    changed without a fallback): sending then fails with an error that says so."""
    if not token:
        return ""
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
