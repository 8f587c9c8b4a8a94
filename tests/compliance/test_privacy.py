"""A learner's own training record, the retention purge and the anonymisation of people who
left (lms/privacy.py)."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import RequestFactory
from wagtail import hooks
from wagtail.models import ModelLogEntry

from tests.factories import (
    DEFAULT_PASSWORD,
    CertificateFactory,
    ModulePageFactory,
    OneModuleCourse,
    UserFactory,
    enrol,
    learner_profile,
)
from wagtail_learning.certificates.models import Certificate
from wagtail_learning.compliance import api as compliance
from wagtail_learning.compliance.models import Reminder, RetentionSettings
from wagtail_learning.lms.models import Completion, Enrolment, QuizAttempt, StepProgress
from wagtail_learning.org.models import LearnerProfile, Membership, Organisation

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 16, 3, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
TODAY = NOW.date()


# --- Building a learner's history ----------------------------------------------------------


@pytest.fixture
def course():
    return OneModuleCourse()


@pytest.fixture
def learner(course):
    kommun = Organisation.add_root(name="Kommun")
    unit = kommun.add_child(name="Hemtjänsten")
    user = UserFactory(
        username="lena", first_name="Lena", last_name="Berg", email="lena.berg@example.se"
    )
    learner_profile(user, unit=unit, employee_number="E-1001", job_title="Undersköterska")
    course.take(user, reflection="Vi behöver prata mer om bemötande.", correct=True)
    CertificateFactory(user=user, title="Likabehandling i praktiken", code="LENA-0000-01")
    return user


@pytest.fixture
def other(course):
    user = UserFactory(
        username="omar", first_name="Omar", last_name="Sund", email="omar.sund@example.se"
    )
    learner_profile(user, employee_number="E-2002", job_title="Rektor-OTHER")
    course.take(user, reflection="OTHER-PERSONS-REFLECTION about my team", correct=False)
    CertificateFactory(user=user, title="Annan kurs OTHER", code="OMAR-9999-99")
    Reminder.objects.create(
        user=user,
        enrolment=Enrolment.objects.get(user=user),
        kind=Reminder.Kind.OVERDUE,
        key="1",
        sent_at=NOW,
    )
    return user


OTHER_STRINGS = [
    "omar",
    "Omar",
    "Sund",
    "omar.sund@example.se",
    "E-2002",
    "Rektor-OTHER",
    "OTHER-PERSONS-REFLECTION",
    "OMAR-9999-99",
    "Annan kurs OTHER",
]


# --- The record ----------------------------------------------------------------------------


def test_the_record_holds_the_learners_training(course, learner, other):
    record = compliance.get_training_record(learner)

    assert record["person"] == {
        "username": "lena",
        "name": "Lena Berg",
        "email": "lena.berg@example.se",
    }
    assert record["profile"]["unit"] == "Kommun/Hemtjänsten"
    assert record["profile"]["employee_number"] == "E-1001"
    assert record["profile"]["job_title"] == "Undersköterska"
    (enrolment,) = record["enrolments"]
    assert enrolment["course"] == "Likabehandling i praktiken"
    assert enrolment["cycle"] == 1
    assert enrolment["completed"] is not None
    assert sorted(c["title"] for c in record["completions"]) == [
        "Grundmodul",
        "Likabehandling i praktiken",
    ]
    assert {p["step"] for p in record["step_progress"]} == {
        "Läs lagen",
        "Din arbetsplats",
        "Kunskapstest",
    }
    (attempt,) = record["quiz_attempts"]
    assert (attempt["score"], attempt["passed"]) == (100.0, True)
    assert attempt["answers"] == [
        {"question": "Hur många diskrimineringsgrunder?", "answer": ["Sju"]}
    ]
    assert [r["text"] for r in record["reflections"]] == ["Vi behöver prata mer om bemötande."]
    (certificate,) = record["certificates"]
    assert certificate["code"] == "LENA-0000-01"
    assert certificate["status"] == "valid"
    assert certificate["verify_url"].endswith("/certificates/verify/LENA-0000-01/")


def test_the_record_holds_nothing_of_another_user(learner, other):
    record = compliance.get_training_record(learner)
    text = compliance.serialise_training_record(record)

    for value in OTHER_STRINGS:
        assert value not in text
    assert record["reminders"] == []
    assert len(record["quiz_attempts"]) == 1
    assert len(record["certificates"]) == 1


def _relations_to_the_user_model() -> set[tuple[type, str]]:
    """Found from the user model's side (its reverse relations, hidden ones included), not
    the way the export finds them: each model and field that points at a user."""
    User = get_user_model()
    return {
        (f.related_model, f.field.name)
        for f in User._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    }


def test_the_record_holds_every_field_of_every_model_that_refers_to_the_person(learner):
    """GDPR art. 15: adding a model or field that refers to a person without exporting it
    (or naming it in EXCLUDED_FIELDS with a reason) fails here."""
    from wagtail_learning.compliance.privacy import EXCLUDED_FIELDS, OTHERS_ROWS

    data = json.loads(compliance.serialise_training_record(compliance.get_training_record(learner)))
    tables = {t["key"]: t for t in data["data_held"]}
    User = get_user_model()
    relations = _relations_to_the_user_model()
    assert len(relations) > 20  # lms, org, compliance, certificates, Wagtail, auth
    expected = {User._meta.label_lower: User} | {
        f"{model._meta.label_lower}.{name}": model for model, name in relations
    }
    assert set(tables) == set(expected)
    for key, model in expected.items():
        if key in OTHERS_ROWS:
            assert OTHERS_ROWS[key][1]  # a reason
            continue
        label = model._meta.label_lower
        wanted = {
            f.attname
            for f in model._meta.concrete_fields
            if f"{label}.{f.name}" not in EXCLUDED_FIELDS
        }
        assert wanted <= set(tables[key]["fields"]), key
    assert all(reason for reason in EXCLUDED_FIELDS.values())
    assert "password" not in tables["auth.user"]["fields"]
    assert DEFAULT_PASSWORD not in json.dumps(data)


def test_the_record_holds_playback_sessions_logins_and_revoke_reasons(learner, course):
    joined = datetime(2020, 2, 3, 8, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    last_login = datetime(2026, 11, 1, 7, 45, tzinfo=ZoneInfo("Europe/Stockholm"))
    get_user_model().objects.filter(pk=learner.pk).update(date_joined=joined, last_login=last_login)
    progress = StepProgress.objects.filter(user=learner).first()
    progress.playback_sessions = {"s-1": {"at": "2026-11-02T10:00:00Z", "position": 312.5}}
    progress.save()
    Certificate.objects.filter(user=learner).update(
        revoked_at=NOW, revoked_reason="Fel kurs angiven vid utfärdandet"
    )

    data = json.loads(compliance.serialise_training_record(compliance.get_training_record(learner)))
    tables = {t["key"]: t for t in data["data_held"]}

    def rows(key):
        return [dict(zip(tables[key]["fields"], row, strict=True)) for row in tables[key]["rows"]]

    (person,) = rows("auth.user")
    assert datetime.fromisoformat(person["date_joined"]) == joined
    assert datetime.fromisoformat(person["last_login"]) == last_login
    assert person["username"] == "lena"
    sessions = [r["playback_sessions"] for r in rows("lms.stepprogress.user")]
    assert {"s-1": {"at": "2026-11-02T10:00:00Z", "position": 312.5}} in sessions
    (certificate,) = rows("certificates.certificate.user")
    assert certificate["revoked_reason"] == "Fel kurs angiven vid utfärdandet"
    assert rows("org.learnerprofile.user")[0]["employee_number"] == "E-1001"
    # HR's view of the record leaves the raw rows out.
    assert "data_held" not in compliance.get_training_record_for_hr(learner)


def test_the_record_serialises_to_json_with_iso_dates(learner):
    enrolment = Enrolment.objects.get(user=learner)
    due = datetime(2026, 12, 31, 23, 59, tzinfo=ZoneInfo("Europe/Stockholm"))
    enrolment.due_at = due
    enrolment.save()

    data = json.loads(compliance.serialise_training_record(compliance.get_training_record(learner)))

    assert datetime.fromisoformat(data["enrolments"][0]["due"]) == due
    assert data["certificates"][0]["code"] == "LENA-0000-01"


def test_a_person_without_a_profile_or_history_gets_an_empty_record():
    record = compliance.get_training_record(UserFactory())

    assert record["profile"] is None
    assert record["enrolments"] == record["completions"] == record["quiz_attempts"] == []
    assert record["certificates"] == []


def test_other_apps_add_sections_through_the_hook(learner):
    def badges(*, user):
        return {"badges": [{"name": f"Badge of {user.username}"}], "certificates": [{"x": 1}]}

    with hooks.register_temporarily(compliance.TRAINING_RECORD, badges):
        record = compliance.get_training_record(learner)

    assert record["badges"] == [{"name": "Badge of lena"}]
    assert len(record["certificates"]) == 2  # lists under one key are joined


def test_answers_of_a_lost_quiz_revision_are_shown_as_ids(learner, course):
    QuizAttempt.objects.filter(user=learner).update(revision=None)

    (attempt,) = compliance.get_training_record(learner)["quiz_attempts"]

    assert attempt["answers"] == [
        {"question": course.question["id"], "answer": [course.right["id"]]}
    ]


# --- Retention -----------------------------------------------------------------------------


def policy(**days) -> RetentionSettings:
    settings = RetentionSettings.load()
    for name, value in days.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def keep_everything() -> RetentionSettings:
    return policy(
        watch_ranges_days=None,
        quiz_answers_days=None,
        reflections_days=None,
        completions_days=None,
        certificates_days=None,
        anonymise_leavers_after_days=None,
    )


def aged(model, pk, **fields):
    """Backdate a row (auto_now fields are only bypassed by update())."""
    model.objects.filter(pk=pk).update(**fields)


@pytest.fixture
def module():
    return ModulePageFactory()


def lecture_progress(user, module, *, days_old: int, completed: bool) -> StepProgress:
    progress = StepProgress.objects.create(
        user=user,
        module_id=module.pk,
        step_id=f"lecture-{days_old}-{completed}",
        kind="lecture",
        watched_ranges=[[0.0, 90.0]],
        watched_seconds=90.0,
        duration_seconds=100.0,
        position_seconds=90.0,
        playback_sessions={"tab-1": {"seq": 4, "t": 1.0}},
        completed_at=NOW - timedelta(days=days_old) if completed else None,
    )
    aged(StepProgress, progress.pk, updated_at=NOW - timedelta(days=days_old))
    progress.refresh_from_db()
    return progress


def reflection_progress(user, module, *, days_old: int) -> StepProgress:
    progress = StepProgress.objects.create(
        user=user,
        module_id=module.pk,
        step_id=f"reflection-{days_old}",
        kind="reflection",
        answer=f"Reflection written {days_old} days ago",
        completed_at=NOW - timedelta(days=days_old),
    )
    aged(StepProgress, progress.pk, updated_at=NOW - timedelta(days=days_old))
    return progress


def quiz_attempt(user, module, *, days_old: int, submitted: bool = True) -> QuizAttempt:
    number = QuizAttempt.objects.filter(user=user).count() + 1
    attempt = QuizAttempt.objects.create(
        user=user,
        module_id=module.pk,
        step_id="quiz",
        quiz_id=1,
        number=number,
        question_ids=["q1"],
        answers={"q1": ["c2"]},
        score=50.0,
        passed=False,
        submitted_at=NOW - timedelta(days=days_old) if submitted else None,
    )
    aged(QuizAttempt, attempt.pk, started_at=NOW - timedelta(days=days_old))
    return attempt


def test_the_default_policy_clears_old_details_and_keeps_records(module):
    user = UserFactory()
    old_done = lecture_progress(user, module, days_old=400, completed=True)
    old_unfinished = lecture_progress(user, module, days_old=400, completed=False)
    recent = lecture_progress(user, module, days_old=300, completed=True)
    old_reflection = reflection_progress(user, module, days_old=731)
    new_reflection = reflection_progress(user, module, days_old=729)
    old_attempt = quiz_attempt(user, module, days_old=731)
    new_attempt = quiz_attempt(user, module, days_old=729)
    abandoned = quiz_attempt(user, module, days_old=800, submitted=False)
    completion = Completion.objects.create(
        user=user, page_id=module.pk, kind="module", completed_at=NOW - timedelta(days=4000)
    )
    certificate = CertificateFactory(user=user, issued_at=NOW - timedelta(days=4000))

    counts = compliance.purge_expired_records(now=NOW)

    assert counts == {
        "watch_ranges": 1,
        "playback_sessions": 2,
        "quiz_answers": 2,
        "reflections": 1,
        "completions": 0,
        "certificates": 0,
        "anonymised": 0,
    }
    old_done.refresh_from_db()
    assert (old_done.watched_ranges, old_done.playback_sessions) == ([], {})
    assert old_done.watched_seconds == 90.0 and old_done.completed_at is not None
    old_unfinished.refresh_from_db()
    # An unfinished lecture's ranges are its progress: the share is recomputed from them.
    assert old_unfinished.watched_ranges == [[0.0, 90.0]]
    assert old_unfinished.playback_sessions == {}
    recent.refresh_from_db()
    assert recent.watched_ranges == [[0.0, 90.0]] and recent.playback_sessions != {}
    assert StepProgress.objects.get(pk=old_reflection.pk).answer == ""
    assert StepProgress.objects.get(pk=old_reflection.pk).completed_at is not None
    assert StepProgress.objects.get(pk=new_reflection.pk).answer != ""
    for attempt, answers in ((old_attempt, {}), (new_attempt, {"q1": ["c2"]}), (abandoned, {})):
        attempt.refresh_from_db()
        assert attempt.answers == answers
        assert attempt.score == 50.0
    assert Completion.objects.filter(pk=completion.pk).exists()
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_the_purge_is_idempotent(module):
    user = UserFactory()
    lecture_progress(user, module, days_old=400, completed=True)
    reflection_progress(user, module, days_old=800)
    quiz_attempt(user, module, days_old=800)

    compliance.purge_expired_records(now=NOW)
    again = compliance.purge_expired_records(now=NOW)

    assert set(again.values()) == {0}


def test_nothing_is_cleared_when_everything_is_kept(module):
    keep_everything()
    user = UserFactory()
    progress = lecture_progress(user, module, days_old=5000, completed=True)
    reflection = reflection_progress(user, module, days_old=5000)
    attempt = quiz_attempt(user, module, days_old=5000)
    learner_profile(user, leave_date=TODAY - timedelta(days=5000))

    assert set(compliance.purge_expired_records(now=NOW).values()) == {0}

    progress.refresh_from_db()
    assert progress.watched_ranges == [[0.0, 90.0]]
    assert StepProgress.objects.get(pk=reflection.pk).answer != ""
    assert QuizAttempt.objects.get(pk=attempt.pk).answers == {"q1": ["c2"]}
    user.refresh_from_db()
    assert user.is_active and user.email


def test_shorter_periods_apply_to_each_kind_on_its_own(module):
    keep_everything()
    policy(quiz_answers_days=30)
    user = UserFactory()
    progress = lecture_progress(user, module, days_old=400, completed=True)
    reflection = reflection_progress(user, module, days_old=400)
    attempt = quiz_attempt(user, module, days_old=31)

    counts = compliance.purge_expired_records(now=NOW)

    assert counts["quiz_answers"] == 1 and counts["watch_ranges"] == counts["reflections"] == 0
    assert QuizAttempt.objects.get(pk=attempt.pk).answers == {}
    progress.refresh_from_db()
    assert progress.watched_ranges != []
    assert StepProgress.objects.get(pk=reflection.pk).answer != ""


def test_completions_and_certificates_go_only_when_configured(
    module, django_capture_on_commit_callbacks
):
    policy(completions_days=3650, certificates_days=3650)
    user = UserFactory()
    old = Completion.objects.create(
        user=user, page_id=module.pk, kind="module", completed_at=NOW - timedelta(days=3651)
    )
    kept = Completion.objects.create(
        user=user,
        page_id=module.pk,
        kind="module",
        cycle=2,
        completed_at=NOW - timedelta(days=3649),
    )
    old_certificate = CertificateFactory(user=user, issued_at=NOW - timedelta(days=3651))
    old_certificate.pdf.save("old.pdf", ContentFile(b"%PDF-1.4 old"), save=True)
    pdf_name, storage = old_certificate.pdf.name, old_certificate.pdf.storage
    new_certificate = CertificateFactory(user=user, issued_at=NOW - timedelta(days=3649))

    with django_capture_on_commit_callbacks(execute=True):
        counts = compliance.purge_expired_records(now=NOW)

    assert (counts["completions"], counts["certificates"]) == (1, 1)
    assert list(Completion.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(Certificate.objects.values_list("pk", flat=True)) == [new_certificate.pk]
    assert not storage.exists(pdf_name)
    assert old.pk not in Completion.objects.values_list("pk", flat=True)


def test_the_purge_runs_as_a_queued_task(module):
    from django_q.tasks import async_task, result

    reflection = reflection_progress(UserFactory(), module, days_old=5000)

    counts = result(async_task("wagtail_learning.compliance.tasks.purge_expired_records_task"))

    assert counts["reflections"] == 1
    assert StepProgress.objects.get(pk=reflection.pk).answer == ""


# --- Anonymisation -------------------------------------------------------------------------


@pytest.fixture
def unit():
    return Organisation.add_root(name="Socialförvaltningen")


def leaver(unit, *, left_days_ago: int, **kwargs):
    user = UserFactory(first_name="Kim", last_name="Leaver", **kwargs)
    learner_profile(
        user,
        unit=unit,
        employee_number=f"E-{user.pk}",
        job_title="Socialsekreterare",
        is_manager=True,
        hire_date=date(2015, 1, 1),
        leave_date=TODAY - timedelta(days=left_days_ago),
    )
    return user


def test_people_who_left_are_anonymised_after_the_period_not_before(unit, module, client):
    gone = leaver(unit, left_days_ago=731, username="kim.gone")
    recent = leaver(unit, left_days_ago=730, username="kim.recent")
    staying = UserFactory(username="still.here")
    learner_profile(staying, unit=unit)
    completion = Completion.objects.create(
        user=gone, page_id=module.pk, kind="module", completed_at=NOW - timedelta(days=900)
    )
    enrol(gone, module.get_parent().specific)

    counts = compliance.purge_expired_records(now=NOW)

    assert counts["anonymised"] == 1
    gone.refresh_from_db()
    assert gone.username == f"anonymised-{gone.pk}"
    assert (gone.first_name, gone.last_name, gone.email) == ("", "", "")
    assert not gone.is_active
    assert not gone.has_usable_password()
    profile = LearnerProfile.objects.get(user=gone)
    assert (profile.employee_number, profile.job_title) == (None, "")
    # Kept for statistics:
    assert profile.unit == unit and profile.is_manager
    assert profile.hire_date == date(2015, 1, 1)
    assert profile.leave_date == TODAY - timedelta(days=731)
    assert Membership.objects.filter(user=gone, unit=unit).exists()
    assert Completion.objects.filter(pk=completion.pk).exists()
    assert Enrolment.objects.filter(user=gone).exists()
    assert not client.login(
        request=RequestFactory().post("/konto/logga-in/"),
        username="kim.gone",
        password=DEFAULT_PASSWORD,
    )

    for user in (recent, staying):
        user.refresh_from_db()
        assert user.is_active and not user.username.startswith("anonymised-")
    assert LearnerProfile.objects.get(user=recent).employee_number == f"E-{recent.pk}"


def test_anonymisation_is_logged_without_the_old_name(unit):
    gone = leaver(unit, left_days_ago=1000, username="kim.logged")

    compliance.purge_expired_records(now=NOW)

    (entry,) = ModelLogEntry.objects.filter(action="lms.anonymise")
    assert entry.object_id == str(gone.pk)
    assert entry.label == f"anonymised-{gone.pk}"
    assert "Kim" not in entry.label and "kim.logged" not in entry.label
    assert entry.user is None


def test_anonymisation_is_idempotent(unit):
    gone = leaver(unit, left_days_ago=1000)

    assert compliance.anonymise_leavers(now=NOW, after_days=730) == 1
    assert compliance.anonymise_leavers(now=NOW, after_days=730) == 0
    assert compliance.purge_expired_records(now=NOW)["anonymised"] == 0

    assert ModelLogEntry.objects.filter(action="lms.anonymise").count() == 1
    gone.refresh_from_db()
    assert gone.username == f"anonymised-{gone.pk}"


def test_the_anonymisation_period_follows_the_setting(unit):
    policy(anonymise_leavers_after_days=30)
    gone = leaver(unit, left_days_ago=31)

    assert compliance.purge_expired_records(now=NOW)["anonymised"] == 1
    assert get_user_model().objects.get(pk=gone.pk).email == ""


# --- Settings in the admin -----------------------------------------------------------------


def test_retention_is_set_in_the_admin_by_those_allowed(client):
    from django.urls import reverse

    from tests.factories import SuperuserFactory, editor_of, site_home

    url = reverse("wagtailsettings:edit", args=["compliance", "retentionsettings"])
    client.force_login(editor_of(site_home()))
    refused = client.get(url, follow=True)
    assert 'name="watch_ranges_days"' not in refused.content.decode()

    client.force_login(SuperuserFactory())
    form = client.get(url, follow=True)
    assert 'name="watch_ranges_days"' in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else url,
        {
            "watch_ranges_days": "90",
            "quiz_answers_days": "",
            "reflections_days": "365",
            "completions_days": "",
            "certificates_days": "",
            "anonymise_leavers_after_days": "365",
        },
    )

    assert response.status_code == 302
    saved = RetentionSettings.load()
    assert (saved.watch_ranges_days, saved.quiz_answers_days) == (90, None)
    assert saved.anonymise_leavers_after_days == 365


@pytest.mark.django_db
def test_hr_see_scores_and_completions_but_not_reflections_or_quiz_answers():
    from tests.factories import ModulePageFactory, UserFactory, reflection_step
    from wagtail_learning.compliance.privacy import get_training_record, get_training_record_for_hr
    from wagtail_learning.lms.models import StepProgress

    person = UserFactory()
    module = ModulePageFactory(steps=[reflection_step()])
    StepProgress.objects.create(
        user=person,
        module_id=module.pk,
        step_id=module.get_lms_steps()[0].step_id,
        kind="reflection",
        answer="Mina privata tankar om chefen.",
        watched_ranges=[[0, 10]],
    )

    own = get_training_record(person)
    for_hr = get_training_record_for_hr(person)

    assert own["reflections"][0]["text"] == "Mina privata tankar om chefen."
    assert "reflections" not in for_hr
    assert "Mina privata tankar" not in str(for_hr)
    assert all("watched_ranges" not in step for step in for_hr["step_progress"])
    assert all("answers" not in attempt for attempt in for_hr["quiz_attempts"])
