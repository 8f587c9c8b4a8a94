"""The one public way into the engine. Other apps import from here."""

from .access import AccessDecision, check_module_access, refuse_file
from .files import protected_storage, serve_protected_file, storage_alias_of

__all__ = [
    "AccessDecision",
    "check_module_access",
    "protected_storage",
    "refuse_file",
    "serve_protected_file",
    "storage_alias_of",
]
