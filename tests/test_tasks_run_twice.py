"""Every task the platform queues is safe to run twice: django-q2 delivers at least once
(the ORM broker redelivers after `retry`), the Redis broker loses a task whose worker dies
and the sweeps queue the work again, and two worker clusters share one broker. Each task
has a test that runs it twice (or as two workers at once) and sees each effect once; this
file names them, and fails when a task is added without one."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django.conf import settings
from django_q.models import Schedule

ROOT = Path(settings.BASE_DIR)
# Every app of the package (a new one is found, not listed), and the example site's home.
APPS = [
    f"wagtail_learning/{path.parent.name}"
    for path in sorted((ROOT / "wagtail_learning").glob("*/apps.py"))
] + ["home"]

# task (dotted path) -> the test that runs it twice and asserts each effect once
RUN_TWICE = {
    "wagtail_learning.evaluations.tasks.send_reminders_task": (
        "tests/evaluations/test_reminders.py::"
        "test_one_reminder_to_who_has_not_answered_and_never_a_second"
    ),
    "wagtail_learning.accessibility.tasks.purge_report_contacts_task": (
        "tests/accessibility/test_privacy.py::"
        "test_contact_details_of_reports_closed_longer_than_the_retention_period_are_emptied"
    ),
    "wagtail_learning.certificates.tasks.render_certificate_task": (
        "tests/certificates/test_services.py::test_rendering_twice_keeps_one_pdf_and_does_not_render_again"
    ),
    "wagtail_learning.certificates.tasks.sweep_certificates_task": (
        "tests/certificates/test_services.py::test_a_render_whose_worker_died_is_queued_again_once"
    ),
    "wagtail_learning.certificates.tasks.issue_certificate_task": (
        "tests/certificates/test_default_design.py::test_the_same_completion_queued_twice_gets_one_certificate"
    ),
    "wagtail_learning.certificates.tasks.render_unit_certificate_task": (
        "tests/certificates/test_unit_certificates.py::test_one_task_renders_the_days_certificates_each_on_its_own"
    ),
    "wagtail_learning.certificates.tasks.render_unit_certificates_task": (
        "tests/certificates/test_unit_certificates.py::test_one_task_renders_the_days_certificates_each_on_its_own"
    ),
    "wagtail_learning.compliance.tasks.send_due_reminders_task": (
        "tests/compliance/test_reminders.py::test_a_reminder_is_sent_once_even_if_the_job_runs_twice"
    ),
    "wagtail_learning.compliance.tasks.send_manager_digests_task": (
        "tests/compliance/test_reminders.py::test_a_digest_goes_once_a_week"
    ),
    "wagtail_learning.compliance.tasks.renew_recurring_assignments_task": (
        "tests/hr/test_reports.py::test_the_renewal_run_by_two_workers_at_once_starts_one_new_cycle"
    ),
    "wagtail_learning.compliance.tasks.purge_expired_records_task": (
        "tests/compliance/test_privacy.py::test_the_purge_is_idempotent"
    ),
    "wagtail_learning.compliance.tasks.evaluate_certification_rules_task": (
        "tests/compliance/test_certification.py::test_running_twice_a_day_keeps_one_snapshot_per_rule_unit_and_day"
    ),
    "wagtail_learning.compliance.tasks.write_compliance_snapshots_task": (
        "tests/hr/test_compliance_snapshots.py::test_a_second_run_the_same_day_replaces_the_day"
    ),
    "wagtail_learning.events.tasks.send_reminders_task": (
        "tests/events/test_invitations.py::test_reminders_go_once_per_person_and_session_with_the_link"
    ),
    "wagtail_learning.events.tasks.send_registration_message_task": (
        "tests/events/test_registration_message.py::"
        "test_the_message_task_run_twice_sends_one_mail_and_one_invitation"
    ),
    "wagtail_learning.external.tasks.evaluate_recognitions_task": (
        "tests/external/test_recognition.py::test_evaluating_twice_recognises_once"
    ),
    "wagtail_learning.lms.tasks.recompute_completions_task": (
        "tests/lms/test_completion_rules.py::test_the_recompute_task_reports_the_completions_it_recorded"
    ),
    "wagtail_learning.org.tasks.run_staff_import_task": (
        "tests/hr/test_import_task.py::test_a_redelivered_task_does_not_import_twice"
    ),
    "wagtail_learning.org.tasks.check_staff_import_task": (
        "tests/hr/test_import_task.py::test_a_large_files_dry_run_runs_as_a_task"
    ),
    "wagtail_learning.org.tasks.sweep_staff_imports_task": (
        "tests/hr/test_import_task.py::test_the_sweep_queues_again_an_import_whose_task_was_lost"
    ),
    "wagtail_learning.xapi.tasks.send_statements_task": (
        "tests/xapi/test_outbox.py::"
        "test_the_send_task_run_twice_or_by_two_workers_sends_each_statement_once"
    ),
    "wagtail_learning.modules.media.process_lecture_video": (
        "tests/modules/test_lecture_upload.py::test_a_large_video_is_processing_until_the_task_has_read_it"
    ),
    "wagtail_learning.modules.uploads.sweep_pending_uploads": (
        "tests/modules/test_lecture_upload.py::test_the_sweep_removes_kept_videos_older_than_a_day"
    ),
}  # fmt: skip

# A task queued by name in the code: async_task("app.module.function", ...).
_QUEUED = re.compile(r"""async_task\(\s*["']([\w.]+)["']""")


def tasks_in_tasks_modules() -> set[str]:
    found = set()
    for app in APPS:
        if not (ROOT / app / "tasks.py").exists():
            continue
        module = importlib.import_module(f"{app.replace('/', '.')}.tasks")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                found.add(f"{module.__name__}.{name}")
    return found


def tasks_queued_by_name() -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            found.update(_QUEUED.findall(path.read_text()))
    return found


@pytest.mark.django_db
def test_every_task_has_a_test_that_runs_it_twice():
    scheduled = set(Schedule.objects.values_list("func", flat=True))
    tasks = tasks_in_tasks_modules() | tasks_queued_by_name() | scheduled

    assert sorted(tasks - set(RUN_TWICE)) == []
    assert sorted(set(RUN_TWICE) - tasks) == []  # no entry for a task that is gone


@pytest.mark.parametrize("task", sorted(RUN_TWICE))
def test_the_named_test_exists(task):
    path, name = RUN_TWICE[task].split("::")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    assert callable(getattr(module, name, None)), RUN_TWICE[task]
