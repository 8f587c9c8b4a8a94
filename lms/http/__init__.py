"""HTTP beside the engine: the JSON API, protected file responses and the status that
answers each refusal. Page apps import these from here."""

from .errors import status_for
from .files import refuse_file, serve_protected_file

__all__ = ["refuse_file", "serve_protected_file", "status_for"]
