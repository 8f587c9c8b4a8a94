"""The one public way into the engine. Other apps import from here (and HTTP helpers from
`lms.http`); import-linter refuses any other way in.

Writes and reads are separate functions; writes are atomic and safe to repeat. The models
listed here are public for reading (reports aggregate over them); writes go through the
functions.
"""

from .access import (
    AccessDecision,
    check_course_audience,
    check_module_access,
    check_prerequisites,
    require_learner_access,
    require_module_access,
)
from .audience import EXTERNAL_LEARNERS, Audience, courses_open_to
from .completion import recompute_completions, schedule_recompute
from .conf import public_url
from .dashboard import ContinueItem, Dashboard, get_learner_dashboard
from .enrolment import current_cycle, enrol_learner, get_enrolment, start_new_cycle
from .errors import (
    AccessDenied,
    AttemptLimitReached,
    EnrolmentNotAllowed,
    InvalidInput,
    LmsError,
    NotFound,
)
from .hooks import COURSE_COMPLETED, MODULE_COMPLETED
from .insight import (
    ItemAnalysis,
    ItemFigures,
    Retention,
    RetentionBucket,
    get_lecture_retention,
    get_quiz_item_analysis,
)
from .models import Completion, Enrolment, QuizAttempt, StepProgress
from .progress import (
    WatchResult,
    complete_step,
    get_step_spec,
    record_document_opened,
    record_heartbeat,
    record_live_attendance,
    record_package_result,
    record_watch,
    save_reflection,
)
from .protocols import (
    ChoiceSpec,
    LearningCourse,
    LearningModule,
    QuestionSpec,
    QuizRules,
    StepSpec,
)
from .quizzes import (
    QuizResult,
    get_attempt_questions,
    get_quiz_result,
    get_quiz_status,
    start_quiz_attempt,
    submit_quiz_attempt,
)
from .replica import reading_connection
from .snapshots import (
    cached_until_edit,
    cached_until_edit_many,
    caches_until_edit,
    forget_module_snapshots,
)
from .state import CourseProgress, ModuleState, StepState, get_course_progress, get_module_progress
from .storage import delete_files_with, protected_storage, storage_alias_of
from .vocabulary import LockReason, ModuleStatus, PackageRule, ReviewPolicy

__all__ = [
    "reading_connection",
    "COURSE_COMPLETED",
    "MODULE_COMPLETED",
    "EXTERNAL_LEARNERS",
    "AccessDecision",
    "AccessDenied",
    "Audience",
    "AttemptLimitReached",
    "Completion",
    "Enrolment",
    "ChoiceSpec",
    "ContinueItem",
    "CourseProgress",
    "courses_open_to",
    "Dashboard",
    "EnrolmentNotAllowed",
    "InvalidInput",
    "ItemAnalysis",
    "ItemFigures",
    "Retention",
    "RetentionBucket",
    "get_lecture_retention",
    "get_quiz_item_analysis",
    "LearningCourse",
    "LearningModule",
    "LmsError",
    "LockReason",
    "ModuleState",
    "ModuleStatus",
    "NotFound",
    "PackageRule",
    "QuestionSpec",
    "QuizAttempt",
    "QuizResult",
    "QuizRules",
    "ReviewPolicy",
    "StepProgress",
    "StepSpec",
    "StepState",
    "WatchResult",
    "cached_until_edit",
    "cached_until_edit_many",
    "caches_until_edit",
    "check_course_audience",
    "check_module_access",
    "check_prerequisites",
    "complete_step",
    "current_cycle",
    "delete_files_with",
    "enrol_learner",
    "forget_module_snapshots",
    "get_attempt_questions",
    "get_course_progress",
    "get_enrolment",
    "get_learner_dashboard",
    "get_module_progress",
    "get_quiz_result",
    "get_quiz_status",
    "get_step_spec",
    "protected_storage",
    "public_url",
    "recompute_completions",
    "record_document_opened",
    "record_heartbeat",
    "record_live_attendance",
    "record_package_result",
    "record_watch",
    "require_learner_access",
    "require_module_access",
    "save_reflection",
    "schedule_recompute",
    "start_new_cycle",
    "start_quiz_attempt",
    "storage_alias_of",
    "submit_quiz_attempt",
]
