"""The admin's staff import as a stored StaffImport: the dry run computed once and shown
from storage, the real run as a task (sync in tests) with a progress page that survives a
reload, a result page, idempotent task runs, and each organisation's imports visible only
to its own HR."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.factories import (
    SuperuserFactory,
    hr_export,
    hr_row,
    in_english,
    staff_importer,
    unit_at,
)
from wagtail_learning.org.api import find_unit, run_staff_import
from wagtail_learning.org.imports import jobs
from wagtail_learning.org.models import LearnerProfile, ReportingScope, StaffImport

pytestmark = pytest.mark.django_db

ENHET_A = "Huddinge/Socialförvaltningen/Enhet A"
SKOLA = "Botkyrka/Utbildning/Skola 1"
ROWS = [
    hr_row("1001", "Anna", "Andersson"),
    hr_row("1002", "Bo", "Berg"),
    hr_row("1003", "Cecilia", "Ek", email="inte-en-adress"),
]


@pytest.fixture
def org():
    unit_at(ENHET_A)
    unit_at(SKOLA)
    return SimpleNamespace(huddinge=find_unit("Huddinge"), botkyrka=find_unit("Botkyrka"))


def login(client, user):
    client.force_login(user)
    in_english(client)
    return client


def upload(client, organisation, rows=ROWS) -> StaffImport:
    data, name = hr_export(rows)
    response = client.post(
        reverse("hr_import"),
        {"file": SimpleUploadedFile(name, data), "organisation": organisation.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return StaffImport.objects.get(token=response["Location"].rstrip("/").rsplit("/", 1)[1])


def press_import(client, staff_import, capture, *, run_tasks=True):
    with capture(execute=run_tasks):
        return client.post(
            reverse("hr_import_preview", args=[staff_import.token]),
            {**staff_import.mapping, "action": "import"},
        )


def test_the_dry_run_is_computed_once_and_shown_from_storage(client, org, monkeypatch):
    admin = login(client, SuperuserFactory())
    calls = []
    real = jobs.import_staff

    def counting(*args, **kwargs):
        calls.append(kwargs["dry_run"])
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "import_staff", counting)

    staff_import = upload(admin, org.huddinge)
    for _visit in range(3):
        response = admin.get(reverse("hr_import_preview", args=[staff_import.token]))
        assert response.status_code == 200
        assert "1001 Anna Andersson" in response.content.decode()

    assert calls == [True]
    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.CHECKED
    assert staff_import.counts["created"] == 2 and staff_import.counts["rows_with_errors"] == 1
    assert staff_import.rows_total == 3
    assert staff_import.dry_run_report["errors"][0][:2] == [4, "E-post"]
    assert staff_import.created_by is not None and staff_import.scope == org.huddinge
    assert not LearnerProfile.objects.exists()


def test_the_progress_page_survives_a_reload_and_leads_to_the_result(
    client, org, django_capture_on_commit_callbacks
):
    admin = login(client, SuperuserFactory())
    staff_import = upload(admin, org.huddinge)

    response = press_import(
        admin, staff_import, django_capture_on_commit_callbacks, run_tasks=False
    )

    progress_url = reverse("hr_import_progress", args=[staff_import.token])
    assert response.status_code == 302 and response["Location"] == progress_url
    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.QUEUED
    for _reload in range(2):
        page = admin.get(progress_url)
        assert page.status_code == 200
        html = page.content.decode()
        assert f'<meta http-equiv="refresh" content="2; url={progress_url}">' in html
        assert "0 of 3" in html
    # The preview of a queued import shows its progress instead.
    assert admin.get(reverse("hr_import_preview", args=[staff_import.token]))["Location"] == (
        progress_url
    )

    assert run_staff_import(staff_import.pk) == StaffImport.Status.DONE

    done = admin.get(progress_url)
    assert done.status_code == 302
    assert done["Location"] == reverse("hr_import_result", args=[staff_import.token])
    result = admin.get(done["Location"])
    assert result.status_code == 200
    html = result.content.decode()
    assert "was imported into Huddinge" in html
    assert "1001 Anna Andersson" in html and "is not an email address" in html
    staff_import.refresh_from_db()
    assert (staff_import.rows_done, staff_import.rows_total, staff_import.errors_so_far) == (
        3,
        3,
        1,
    )
    assert staff_import.report["dry_run"] is False
    assert staff_import.started_at and staff_import.finished_at


def test_a_redelivered_task_does_not_import_twice(client, org, django_capture_on_commit_callbacks):
    admin = login(client, SuperuserFactory())
    staff_import = upload(admin, org.huddinge)
    press_import(admin, staff_import, django_capture_on_commit_callbacks)  # runs the task
    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.DONE
    report = staff_import.report

    assert run_staff_import(staff_import.pk) == StaffImport.Status.DONE
    press_import(admin, staff_import, django_capture_on_commit_callbacks)  # a double click

    staff_import.refresh_from_db()
    assert staff_import.report == report
    assert ModelLogEntry.objects.filter(action="lms.import_staff").count() == 1
    assert LearnerProfile.objects.count() == 2


def test_a_task_finding_the_import_running_leaves_it_to_its_worker(org):
    hr = staff_importer(org.huddinge)
    data, name = hr_export(ROWS)
    staff_import = jobs.start_staff_import(
        data=data, filename=name, scope=org.huddinge, full=False, create_units=False, user=hr
    )
    jobs.queue_staff_import(staff_import, mapping=staff_import.mapping, user=hr)
    StaffImport.objects.filter(pk=staff_import.pk).update(status=StaffImport.Status.RUNNING)
    StaffImport.objects.filter(pk=staff_import.pk).update(started_at=jobs.timezone.now())

    assert run_staff_import(staff_import.pk) == StaffImport.Status.RUNNING
    assert not LearnerProfile.objects.exists()

    # A claim older than the lease: its worker died (the import rolled back); run it.
    stale = jobs.timezone.now() - jobs.LEASE * 2
    StaffImport.objects.filter(pk=staff_import.pk).update(started_at=stale)
    assert jobs.sweep_staff_imports() == 1  # sync queue: the sweep's task ran the import
    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.DONE
    assert LearnerProfile.objects.count() == 2


def test_a_scope_removed_before_the_task_runs_fails_the_import_cleanly(
    client, org, django_capture_on_commit_callbacks
):
    user = staff_importer(org.huddinge)
    hr = login(client, user)
    staff_import = upload(hr, org.huddinge)
    press_import(hr, staff_import, django_capture_on_commit_callbacks, run_tasks=False)

    ReportingScope.objects.filter(user=user).delete()
    assert run_staff_import(staff_import.pk) == StaffImport.Status.FAILED

    staff_import.refresh_from_db()
    assert "may not import" in staff_import.error
    assert not LearnerProfile.objects.exists()
    assert not ModelLogEntry.objects.filter(action="lms.import_staff").exists()
    # The superuser sees why on the result page.
    admin = login(client, SuperuserFactory())
    page = admin.get(reverse("hr_import_result", args=[staff_import.token]))
    assert page.status_code == 200
    assert "nothing was saved" in page.content.decode()


def test_hr_sees_only_their_own_organisations_imports(client, org):
    huddinge_hr = staff_importer(org.huddinge, username="hr-huddinge")
    botkyrka_hr = staff_importer(org.botkyrka, username="hr-botkyrka")
    ours = upload(login(client, huddinge_hr), org.huddinge)
    theirs = upload(login(client, botkyrka_hr), org.botkyrka, [hr_row("2001", unit=SKOLA)])

    page = login(client, huddinge_hr).get(reverse("hr_import"))
    html = page.content.decode()
    assert reverse("hr_import_preview", args=[ours.token]) in html
    assert reverse("hr_import_preview", args=[theirs.token]) not in html
    for name in ("hr_import_preview", "hr_import_progress", "hr_import_result"):
        response = client.get(reverse(name, args=[theirs.token]))
        assert response.status_code == 403, name
    assert list(jobs.get_visible_imports(huddinge_hr)) == [ours]
    assert set(jobs.get_visible_imports(SuperuserFactory())) == {ours, theirs}

    unknown = client.get(reverse("hr_import_progress", args=["made-up"]))
    assert unknown.status_code == 404


def test_an_abandoned_upload_expires_with_its_file(client, org):
    admin = login(client, SuperuserFactory())
    staff_import = upload(admin, org.huddinge)
    storage = jobs._storage()
    assert storage.exists(staff_import.file)

    later = jobs.timezone.now() + jobs.MAX_AGE * 2
    assert jobs.expire_stale_imports(now=later) == 1

    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.EXPIRED
    assert not storage.exists(staff_import.file)
    response = admin.get(reverse("hr_import_preview", args=[staff_import.token]))
    assert response.status_code == 404
    assert "no longer available" in response.content.decode()


def test_the_sweep_is_scheduled():
    from django_q.models import Schedule

    from wagtail_learning.org.schedules import SWEEP_NAME, ensure_schedules

    Schedule.objects.filter(name=SWEEP_NAME).delete()
    ensure_schedules()
    ensure_schedules()

    schedule = Schedule.objects.get(name=SWEEP_NAME)
    assert schedule.func == "wagtail_learning.org.tasks.sweep_staff_imports_task"
    assert schedule.minutes == 10


def test_hr_cannot_rename_an_admin_through_the_admin_screen(
    client, org, django_capture_on_commit_callbacks
):
    admin = SuperuserFactory(username="it", email="it@huddinge.se")
    LearnerProfile.objects.create(user=admin, unit=find_unit(ENHET_A), employee_number="9001")
    hr = login(client, staff_importer(org.huddinge))
    staff_import = upload(hr, org.huddinge, [hr_row("9001", "Kapad", email="evil@example.org")])

    preview = hr.get(reverse("hr_import_preview", args=[staff_import.token]))
    assert "administration rights" in preview.content.decode()
    press_import(hr, staff_import, django_capture_on_commit_callbacks)

    admin.refresh_from_db()
    assert (admin.email, admin.first_name) == ("it@huddinge.se", "Lena")


def test_the_sweep_queues_again_an_import_whose_task_was_lost(
    client, org, django_capture_on_commit_callbacks
):
    admin = login(client, SuperuserFactory())
    staff_import = upload(admin, org.huddinge)
    press_import(admin, staff_import, django_capture_on_commit_callbacks, run_tasks=False)

    assert jobs.sweep_staff_imports() == 0  # just queued: its task may still come
    later = jobs.timezone.now() + jobs.QUEUED_GRACE * 2
    assert jobs.sweep_staff_imports(now=later) == 1  # sync queue: runs it
    assert jobs.sweep_staff_imports(now=later) == 0  # the sweep run again: nothing lost now

    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.DONE
    assert LearnerProfile.objects.count() == 2


def test_a_large_files_dry_run_runs_as_a_task(
    client, org, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(jobs, "INLINE_CHECK_SECONDS", 0)  # every file counts as large
    admin = login(client, SuperuserFactory())

    with django_capture_on_commit_callbacks(execute=False) as queued:
        staff_import = upload(admin, org.huddinge)
    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.CHECKING
    assert staff_import.dry_run_report is None and len(queued) == 1
    preview_url = reverse("hr_import_preview", args=[staff_import.token])
    waiting = admin.get(preview_url)
    assert waiting.status_code == 200
    assert "The dry run of personal.csv for Huddinge is running" in waiting.content.decode()
    assert f'content="2; url={preview_url}"' in waiting.content.decode()
    refused = admin.post(preview_url, {**staff_import.mapping, "action": "import"})
    assert refused.status_code == 200 and not LearnerProfile.objects.exists()

    queued[0]()  # the task runs (sync queue)

    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.CHECKED
    assert staff_import.counts["created"] == 2
    shown = admin.get(preview_url)
    assert "1001 Anna Andersson" in shown.content.decode()
    # A stale task (an older mapping) stores nothing over the newer dry run.
    assert jobs.run_staff_import_check(staff_import.pk, staff_import.checks - 1) == "checked"
    press_import(admin, staff_import, django_capture_on_commit_callbacks)
    assert LearnerProfile.objects.count() == 2


def test_a_file_gone_from_storage_is_a_clear_400(client, org):
    admin = login(client, SuperuserFactory())
    staff_import = upload(admin, org.huddinge)
    jobs._storage().delete(staff_import.file)

    response = admin.post(
        reverse("hr_import_preview", args=[staff_import.token]),
        {**staff_import.mapping, "action": "preview"},
    )

    assert response.status_code == 400
    assert "no longer available" in response.content.decode()
