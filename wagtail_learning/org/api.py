"""The one public way into organisations and people. Other apps import from here.

The models listed here are public for reading (reports aggregate over them); writes go
through the functions.
"""

from .errors import InvalidInput, OrgError, OutOfScope
from .hooks import PEOPLE_CHANGED, PERSONAL_DATA, OnAnonymise, announce_people_changed
from .imports.jobs import (
    check_staff_import,
    get_visible_imports,
    queue_staff_import,
    run_staff_import,
    start_staff_import,
)
from .imports.mapping import FIELDS, REQUIRED, resolve_mapping, suggest_mapping
from .imports.parse import read_table
from .imports.plan import ImportReport, RowError, privileged_user_ids
from .imports.service import can_import_into, get_import_units, import_staff
from .imports.units import find_unit, get_or_create_unit
from .models import (
    EditorialGroup,
    LearnerProfile,
    Membership,
    Organisation,
    ReportingScope,
    StaffImport,
)
from .ownership import (
    OwnedPermissionPolicy,
    OwnedViewSetMixin,
    editing_organisations,
    is_owned,
    may_edit,
    owner_field,
    register_owned_model,
)
from .people import find_unit_in, organisations_of, place_new_person, unplaced_unit
from .scopes import can_see_unit, get_scope_units, is_in_scope, scope_filter
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
    "EditorialGroup",
    "OwnedPermissionPolicy",
    "OwnedViewSetMixin",
    "editing_organisations",
    "is_owned",
    "may_edit",
    "owner_field",
    "register_owned_model",
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
    "StaffImport",
    "announce_people_changed",
    "can_access_instance",
    "can_access_person",
    "can_import_into",
    "can_see_unit",
    "check_staff_import",
    "find_unit",
    "find_unit_in",
    "get_import_units",
    "get_or_create_unit",
    "get_scope_units",
    "get_visible_imports",
    "import_staff",
    "privileged_user_ids",
    "is_in_scope",
    "organisations_of",
    "place_new_person",
    "is_walled",
    "queue_staff_import",
    "read_table",
    "register_person_model",
    "PERSONAL_DATA",
    "OnAnonymise",
    "register_unit_model",
    "resolve_mapping",
    "run_staff_import",
    "scope_filter",
    "scope_log_entries",
    "scope_queryset",
    "start_staff_import",
    "suggest_mapping",
    "unplaced_unit",
    "walled_models",
]
