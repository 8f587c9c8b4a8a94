"""The one public way into organisations and people. Other apps import from here.

The models listed here are public for reading (reports aggregate over them); writes go
through the functions.
"""

from .errors import InvalidInput, OrgError, OutOfScope
from .hooks import PEOPLE_CHANGED, announce_people_changed
from .models import LearnerProfile, Membership, Organisation, ReportingScope
from .scopes import can_see_unit, get_scope_units, is_in_scope, scope_filter
from .staff_import import (
    FIELDS,
    REQUIRED,
    ImportReport,
    RowError,
    can_import_into,
    find_unit,
    get_import_units,
    get_or_create_unit,
    import_staff,
    read_table,
    resolve_mapping,
    suggest_mapping,
)
from .wall import (
    WalledPermissionPolicy,
    WalledViewSetMixin,
    can_access_instance,
    can_access_person,
    is_walled,
    register_person_model,
    register_unit_model,
    scope_log_entries,
    scope_queryset,
    walled_models,
)

__all__ = [
    "FIELDS",
    "PEOPLE_CHANGED",
    "REQUIRED",
    "ImportReport",
    "InvalidInput",
    "LearnerProfile",
    "Membership",
    "OrgError",
    "Organisation",
    "OutOfScope",
    "ReportingScope",
    "RowError",
    "WalledPermissionPolicy",
    "WalledViewSetMixin",
    "announce_people_changed",
    "can_access_instance",
    "can_access_person",
    "can_import_into",
    "can_see_unit",
    "find_unit",
    "get_import_units",
    "get_or_create_unit",
    "get_scope_units",
    "import_staff",
    "is_in_scope",
    "is_walled",
    "read_table",
    "register_person_model",
    "register_unit_model",
    "resolve_mapping",
    "scope_filter",
    "scope_log_entries",
    "scope_queryset",
    "suggest_mapping",
    "walled_models",
]
