"""The one public way into the engine. Other apps import from here.

Writes and reads are separate functions; writes are atomic and safe to repeat.
"""

from .access import (
    AccessDecision,
    check_module_access,
    refuse_file,
    require_learner_access,
    require_module_access,
)
from .assignments import apply_assignment, renew_recurring_assignments, sync_assignments_for_users
from .completion import recompute_completions, schedule_recompute
from .dashboard import ContinueItem, Dashboard, get_learner_dashboard
from .enrolment import current_cycle, enrol_learner, get_enrollment, start_new_cycle
from .errors import (
    AccessDenied,
    AttemptLimitReached,
    EnrolmentNotAllowed,
    InvalidInput,
    LmsError,
    NotFound,
)
from .files import protected_storage, serve_protected_file, storage_alias_of
from .hooks import COURSE_COMPLETED, MODULE_COMPLETED
from .privacy import (
    PURGE_CERTIFICATES,
    TRAINING_RECORD,
    anonymise_leavers,
    get_training_record,
    get_training_record_for_hr,
    purge_expired_records,
    serialise_training_record,
)
from .progress import (
    WatchResult,
    complete_step,
    get_step_spec,
    record_document_opened,
    record_watch,
    save_reflection,
)
from .protocols import ChoiceSpec, QuestionSpec, QuizRules, StepSpec
from .quizzes import (
    QuizResult,
    get_attempt_questions,
    get_open_attempt,
    get_quiz_result,
    get_quiz_status,
    start_quiz_attempt,
    submit_quiz_attempt,
)
from .reminders import send_due_reminders, send_manager_digests
from .scopes import can_see_unit, get_scope_units, is_in_scope, scope_filter
from .state import CourseProgress, ModuleState, StepState, get_course_progress, get_module_progress

__all__ = [
    "COURSE_COMPLETED",
    "MODULE_COMPLETED",
    "PURGE_CERTIFICATES",
    "TRAINING_RECORD",
    "AccessDecision",
    "AccessDenied",
    "AttemptLimitReached",
    "ChoiceSpec",
    "ContinueItem",
    "CourseProgress",
    "Dashboard",
    "EnrolmentNotAllowed",
    "InvalidInput",
    "LmsError",
    "ModuleState",
    "NotFound",
    "QuestionSpec",
    "QuizResult",
    "QuizRules",
    "StepSpec",
    "StepState",
    "WatchResult",
    "anonymise_leavers",
    "apply_assignment",
    "can_see_unit",
    "check_module_access",
    "complete_step",
    "current_cycle",
    "enrol_learner",
    "get_attempt_questions",
    "get_course_progress",
    "get_enrollment",
    "get_learner_dashboard",
    "get_module_progress",
    "get_open_attempt",
    "get_quiz_result",
    "get_quiz_status",
    "get_scope_units",
    "get_step_spec",
    "get_training_record",
    "get_training_record_for_hr",
    "is_in_scope",
    "protected_storage",
    "purge_expired_records",
    "recompute_completions",
    "record_document_opened",
    "record_watch",
    "refuse_file",
    "renew_recurring_assignments",
    "require_learner_access",
    "require_module_access",
    "save_reflection",
    "scope_filter",
    "schedule_recompute",
    "send_due_reminders",
    "send_manager_digests",
    "serialise_training_record",
    "serve_protected_file",
    "start_new_cycle",
    "start_quiz_attempt",
    "storage_alias_of",
    "submit_quiz_attempt",
    "sync_assignments_for_users",
]
