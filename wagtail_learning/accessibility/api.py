"""What other apps use from accessibility."""

from .models import AccessibilityStatement, BarrierReport
from .services import get_statement, purge_report_contacts, report_barrier, update_report
from .vocabulary import AssessmentMethod, BarrierReason, Conformance, ReportStatus

__all__ = [
    "AccessibilityStatement",
    "AssessmentMethod",
    "BarrierReason",
    "BarrierReport",
    "Conformance",
    "ReportStatus",
    "get_statement",
    "purge_report_contacts",
    "report_barrier",
    "update_report",
]
