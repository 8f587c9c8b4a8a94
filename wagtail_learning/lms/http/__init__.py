"""HTTP beside the engine: the JSON API, protected file responses, the status that
answers each refusal and the admin's shared building blocks. Page apps import these from
here."""

from ..replica import reads_from_replica
from .admin import PermissionMenuItem
from .errors import status_for
from .files import refuse_file, serve_protected_file
from .pages import page_of, query_without

__all__ = [
    "PermissionMenuItem",
    "page_of",
    "query_without",
    "reads_from_replica",
    "refuse_file",
    "serve_protected_file",
    "status_for",
]
