"""Periodic jobs of compliance, registered with django-q2's scheduler.

Times are cron expressions in TIME_ZONE. A schedule is created once, by name, so a time
changed in the admin stays changed.
"""

from django_q.models import Schedule

REMINDERS = "compliance: due-date reminders to learners"
DIGESTS = "compliance: weekly digest of overdue training to managers"
RENEWALS = "compliance: start new cycles of recurring assignments"
PURGE = "compliance: retention purge and anonymisation"
CERTIFICATION = "compliance: evaluate certification rules of units"
SNAPSHOTS = "compliance: daily compliance snapshots of units for the charts"

SCHEDULES = {
    # Renewals first, so that reminders see the new cycles' due dates.
    RENEWALS: ("wagtail_learning.compliance.tasks.renew_recurring_assignments_task", "0 5 * * *"),
    # After renewals (new cycles), before reminders: the day's unit snapshots.
    CERTIFICATION: (
        "wagtail_learning.compliance.tasks.evaluate_certification_rules_task",
        "30 5 * * *",
    ),
    # After renewals too: the day's figures per unit and course, for the charts over time.
    SNAPSHOTS: ("wagtail_learning.compliance.tasks.write_compliance_snapshots_task", "45 5 * * *"),
    PURGE: ("wagtail_learning.compliance.tasks.purge_expired_records_task", "30 3 * * *"),
    REMINDERS: ("wagtail_learning.compliance.tasks.send_due_reminders_task", "0 7 * * *"),
    DIGESTS: ("wagtail_learning.compliance.tasks.send_manager_digests_task", "0 7 * * 1"),
}


def ensure_schedules() -> None:
    """Create the periodic jobs of compliance that are missing. Idempotent."""
    for name, (func, cron) in SCHEDULES.items():
        Schedule.objects.get_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.CRON, "cron": cron, "repeats": -1},
        )
