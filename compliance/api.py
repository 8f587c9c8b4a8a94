"""The one public way into compliance: assignments, reports, reminders, the training
record and retention. Other apps import from here.

Assignment is public for reading and for the admin's model form; writes that enrol people
go through the functions.
"""

from .assignments import (
    apply_assignment,
    due_date_for,
    renew_recurring_assignments,
    sync_assignments_for_users,
)
from .models import Assignment, Reminder, RetentionSettings
from .policy import Terms, audience_profiles, winning_terms
from .privacy import (
    ANONYMISE_ACTION,
    ANONYMOUS_LABEL,
    PERSON_ANONYMISED,
    PURGE_CERTIFICATES,
    TRAINING_RECORD,
    anonymise_leavers,
    anonymous_label,
    get_training_record,
    get_training_record_for_hr,
    purge_expired_records,
    redact_names,
    serialise_training_record,
)
from .reminders import send_due_reminders, send_manager_digests
from .reports import (
    Cell,
    CourseColumn,
    Matrix,
    MatrixRow,
    PageOutOfRange,
    PeoplePage,
    PersonStatus,
    get_compliance_history,
    get_compliance_matrix,
    get_unit_people,
    get_unit_people_page,
    iter_unit_people,
)
from .vocabulary import AudienceFilter, ComplianceStatus

__all__ = [
    "ANONYMISE_ACTION",
    "ANONYMOUS_LABEL",
    "PERSON_ANONYMISED",
    "PURGE_CERTIFICATES",
    "TRAINING_RECORD",
    "Assignment",
    "AudienceFilter",
    "Cell",
    "ComplianceStatus",
    "CourseColumn",
    "Matrix",
    "MatrixRow",
    "PageOutOfRange",
    "PeoplePage",
    "PersonStatus",
    "Reminder",
    "RetentionSettings",
    "Terms",
    "anonymise_leavers",
    "anonymous_label",
    "apply_assignment",
    "audience_profiles",
    "due_date_for",
    "get_compliance_history",
    "get_compliance_matrix",
    "get_training_record",
    "get_training_record_for_hr",
    "get_unit_people",
    "get_unit_people_page",
    "iter_unit_people",
    "purge_expired_records",
    "redact_names",
    "renew_recurring_assignments",
    "send_due_reminders",
    "send_manager_digests",
    "serialise_training_record",
    "sync_assignments_for_users",
    "winning_terms",
]
