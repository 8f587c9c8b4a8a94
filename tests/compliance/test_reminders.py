"""Due-date reminders and managers' weekly digests (lms/reminders.py), and the engine's
periodic jobs (lms/schedules.py)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management.sql import emit_post_migrate_signal
from django.utils.module_loading import import_string
from django_q.models import Schedule

from tests.factories import CoursePageFactory, UserFactory, learner_profile
from wagtail_learning.compliance import api as compliance
from wagtail_learning.compliance.models import Reminder
from wagtail_learning.compliance.schedules import SCHEDULES
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Enrolment
from wagtail_learning.org.models import LearnerProfile, Membership, Organisation

pytestmark = pytest.mark.django_db

# A Monday morning, in the site's time zone (Europe/Stockholm).
NOW = datetime(2026, 11, 16, 7, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
BASE_URL = "https://utbildning.example.se"


class FailingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unavailable")


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.LMS_PUBLIC_BASE_URL = BASE_URL
    settings.LMS_REMINDER_DAYS_BEFORE = 7


@pytest.fixture
def course():
    return CoursePageFactory(title="Diskrimineringslagen & du")


def enrolled(course, *, due_in: timedelta | None, **user_kwargs) -> Enrolment:
    """A learner enrolled by an administrator, due `due_in` after NOW."""
    user = UserFactory(**user_kwargs)
    enrolment, _created = lms.enrol_learner(
        user,
        course=course,
        source=Enrolment.Source.ADMIN,
        due_at=NOW + due_in if due_in is not None else None,
    )
    return enrolment


# --- Learners ------------------------------------------------------------------------------


def test_a_reminder_is_sent_once_even_if_the_job_runs_twice(course, mailoutbox):
    enrolment = enrolled(course, due_in=timedelta(days=3), email="lena@example.se")

    first = compliance.send_due_reminders(now=NOW)
    second = compliance.send_due_reminders(now=NOW + timedelta(hours=1))

    assert first == {"due_soon": 1, "overdue": 0, "failed": 0}
    assert second == {"due_soon": 0, "overdue": 0, "failed": 0}
    assert [m.to for m in mailoutbox] == [["lena@example.se"]]
    reminder = Reminder.objects.get()
    assert (reminder.user, reminder.enrolment, reminder.kind, reminder.key) == (
        enrolment.user,
        enrolment,
        Reminder.Kind.DUE_SOON,
        "1",
    )


def test_an_existing_record_stops_the_send(course, mailoutbox):
    """What a second worker finds when the first recorded the reminder a moment before."""
    enrolment = enrolled(course, due_in=timedelta(days=3))
    Reminder.objects.create(
        user=enrolment.user,
        enrolment=enrolment,
        kind=Reminder.Kind.DUE_SOON,
        key="1",
        sent_at=NOW,
    )

    assert compliance.send_due_reminders(now=NOW)["due_soon"] == 0
    assert mailoutbox == []


def test_the_email_links_straight_to_the_course(course, mailoutbox):
    enrolled(course, due_in=timedelta(days=2), first_name="Lena", last_name="Berg")

    compliance.send_due_reminders(now=NOW)

    (message,) = mailoutbox
    assert course.title in message.subject
    assert f"{BASE_URL}{course.url}" in message.body
    assert course.url.startswith("/")
    assert "Lena Berg" in message.body
    # Plain text: no HTML escaping of the title.
    assert "Diskrimineringslagen & du" in message.body
    assert "&amp;" not in message.body


def test_without_a_public_base_url_links_use_the_admin_base_url(course, mailoutbox, settings):
    settings.LMS_PUBLIC_BASE_URL = ""
    settings.WAGTAILADMIN_BASE_URL = "https://admin.example.se/"
    enrolled(course, due_in=timedelta(days=2))

    compliance.send_due_reminders(now=NOW)

    assert f"https://admin.example.se{course.url}" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("due_in", "kind"),
    [
        (timedelta(days=10), None),
        (timedelta(days=7, minutes=1), None),
        (timedelta(days=7), Reminder.Kind.DUE_SOON),
        (timedelta(hours=1), Reminder.Kind.DUE_SOON),
        # Due this very moment is not late yet: the reports' rule (compliance/policy.py).
        (timedelta(0), Reminder.Kind.DUE_SOON),
        (-timedelta(seconds=1), Reminder.Kind.OVERDUE),
        (-timedelta(days=1), Reminder.Kind.OVERDUE),
        (-timedelta(days=200), Reminder.Kind.OVERDUE),
    ],
)
def test_due_soon_and_overdue_windows(course, due_in, kind):
    enrolled(course, due_in=due_in)

    compliance.send_due_reminders(now=NOW)

    assert list(Reminder.objects.values_list("kind", flat=True)) == ([kind] if kind else [])


def test_no_due_date_no_reminder(course, mailoutbox):
    enrolled(course, due_in=None)

    compliance.send_due_reminders(now=NOW)

    assert mailoutbox == []


def test_the_window_follows_the_setting(course, settings):
    settings.LMS_REMINDER_DAYS_BEFORE = 14
    enrolled(course, due_in=timedelta(days=10))

    assert compliance.send_due_reminders(now=NOW)["due_soon"] == 1


def test_due_soon_and_later_overdue_are_separate_reminders(course, mailoutbox):
    enrolled(course, due_in=timedelta(days=3))

    compliance.send_due_reminders(now=NOW)
    compliance.send_due_reminders(now=NOW + timedelta(days=4))
    compliance.send_due_reminders(now=NOW + timedelta(days=5))

    assert sorted(Reminder.objects.values_list("kind", flat=True)) == ["due_soon", "overdue"]
    assert len(mailoutbox) == 2
    assert mailoutbox[0].subject != mailoutbox[1].subject


def _completed(enrolment):
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = NOW - timedelta(days=1)
    enrolment.save()


def _withdrawn(enrolment):
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.save()


def _left_today(enrolment):
    learner_profile(enrolment.user, leave_date=NOW.date())


def _left_long_ago(enrolment):
    learner_profile(enrolment.user, leave_date=date(2025, 1, 31))


def _inactive(enrolment):
    enrolment.user.is_active = False
    enrolment.user.save()


def _no_email(enrolment):
    enrolment.user.email = ""
    enrolment.user.save()


def _unpublished(enrolment):
    enrolment.course.specific.unpublish()


@pytest.mark.parametrize(
    "change",
    [_completed, _withdrawn, _left_today, _left_long_ago, _inactive, _no_email, _unpublished],
)
@pytest.mark.parametrize("due_in", [timedelta(days=2), -timedelta(days=2)])
def test_nobody_is_reminded_who_completed_left_withdrew_or_cannot_be_reached(
    course, mailoutbox, change, due_in
):
    enrolment = enrolled(course, due_in=due_in)
    change(enrolment)

    counts = compliance.send_due_reminders(now=NOW)

    assert counts == {"due_soon": 0, "overdue": 0, "failed": 0}
    assert mailoutbox == []
    assert not Reminder.objects.exists()


def test_someone_leaving_later_is_still_reminded(course, mailoutbox):
    enrolment = enrolled(course, due_in=-timedelta(days=1))
    learner_profile(enrolment.user, leave_date=NOW.date() + timedelta(days=1))

    assert compliance.send_due_reminders(now=NOW)["overdue"] == 1


def test_a_new_cycle_gets_new_reminders(course, mailoutbox):
    enrolment = enrolled(course, due_in=-timedelta(days=1))
    compliance.send_due_reminders(now=NOW)
    _completed(enrolment)

    lms.start_new_cycle(enrolment, due_at=NOW - timedelta(hours=1))
    compliance.send_due_reminders(now=NOW)
    compliance.send_due_reminders(now=NOW)

    assert sorted(Reminder.objects.values_list("kind", "key")) == [
        ("overdue", "1"),
        ("overdue", "2"),
    ]
    assert len(mailoutbox) == 2


def test_a_failing_send_is_not_recorded_and_is_retried_on_the_next_run(
    course, mailoutbox, settings
):
    enrolled(course, due_in=timedelta(days=1))
    settings.EMAIL_BACKEND = "tests.compliance.test_reminders.FailingBackend"

    counts = compliance.send_due_reminders(now=NOW)

    assert counts == {"due_soon": 0, "overdue": 0, "failed": 1}
    assert not Reminder.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert compliance.send_due_reminders(now=NOW + timedelta(hours=1))["due_soon"] == 1
    assert len(mailoutbox) == 1
    assert Reminder.objects.count() == 1


def test_one_failure_does_not_stop_the_others(course, mailoutbox, monkeypatch):
    good = enrolled(course, due_in=timedelta(days=1), email="good@example.se")
    bad = enrolled(course, due_in=timedelta(days=2), email="bad@example.se")
    from django.core.mail import EmailMessage

    original = EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == ["bad@example.se"]:
            raise OSError("mailbox rejected")
        return original(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)

    counts = compliance.send_due_reminders(now=NOW)

    assert counts == {"due_soon": 1, "overdue": 0, "failed": 1}
    assert [m.to for m in mailoutbox] == [["good@example.se"]]
    assert list(Reminder.objects.values_list("enrolment", flat=True)) == [good.pk]
    assert bad.reminders.count() == 0


# --- Managers ------------------------------------------------------------------------------


@pytest.fixture
def tree():
    """Kommun -> Socialförvaltningen -> Hemtjänsten; Kommun -> Kulturförvaltningen."""
    kommun = Organisation.add_root(name="Kommun")
    social = kommun.add_child(name="Socialförvaltningen")
    social.refresh_from_db()
    hemtjanst = social.add_child(name="Hemtjänsten")
    kommun.refresh_from_db()
    kultur = kommun.add_child(name="Kulturförvaltningen")
    return {"kommun": kommun, "social": social, "hemtjanst": hemtjanst, "kultur": kultur}


def person(unit, *, manager=False, leave_date=None, **kwargs):
    user = UserFactory(**kwargs)
    learner_profile(user, unit=unit, is_manager=manager, leave_date=leave_date)
    return user


def enrol_due(user, course, due_in: timedelta) -> Enrolment:
    enrolment, _created = lms.enrol_learner(
        user, course=course, source=Enrolment.Source.ADMIN, due_at=NOW + due_in
    )
    return enrolment


def test_a_manager_gets_the_overdue_people_of_their_unit_and_below_not_a_sibling(
    tree, course, mailoutbox
):
    boss = person(tree["social"], manager=True, email="chef@example.se", last_name="Chefsson")
    in_unit = person(tree["social"], first_name="Anna", last_name="Inunit")
    below = person(tree["hemtjanst"], first_name="Bo", last_name="Below")
    sibling = person(tree["kultur"], first_name="Cia", last_name="Sibling")
    not_due = person(tree["social"], first_name="Dan", last_name="Notdue")
    done = person(tree["social"], first_name="Eva", last_name="Done")
    gone = person(
        tree["social"], first_name="Frej", last_name="Gone", leave_date=NOW.date() - timedelta(1)
    )
    for user in (boss, in_unit, below, sibling, done, gone):
        enrol_due(user, course, -timedelta(days=3))
    enrol_due(not_due, course, timedelta(days=3))
    _completed(Enrolment.objects.get(user=done))

    counts = compliance.send_manager_digests(now=NOW)

    assert counts == {"manager_digest": 1, "failed": 0}
    (message,) = mailoutbox
    assert message.to == ["chef@example.se"]
    assert "2026-W47" in message.subject
    listed = [line for line in message.body.splitlines() if line.startswith("- ")]
    assert sorted(line.split(":")[0] for line in listed) == ["- Anna Inunit", "- Bo Below"]
    for absent in ("Cia Sibling", "Dan Notdue", "Eva Done", "Frej Gone"):
        assert absent not in message.body
    assert f"{BASE_URL}{course.url}" in message.body
    assert "13 November 2026" in message.body or "13 november 2026" in message.body
    reminder = Reminder.objects.get(kind=Reminder.Kind.MANAGER_DIGEST)
    assert (reminder.user, reminder.enrolment, reminder.key) == (boss, None, "2026-W47")


def test_a_digest_goes_once_a_week(tree, course, mailoutbox):
    person(tree["social"], manager=True)
    enrol_due(person(tree["social"]), course, -timedelta(days=1))

    compliance.send_manager_digests(now=NOW)
    compliance.send_manager_digests(now=NOW + timedelta(days=2))  # same ISO week
    assert len(mailoutbox) == 1

    compliance.send_manager_digests(now=NOW + timedelta(days=7))
    assert len(mailoutbox) == 2
    assert sorted(Reminder.objects.values_list("key", flat=True)) == ["2026-W47", "2026-W48"]


def test_each_manager_gets_their_own_units(tree, course, mailoutbox):
    top = person(tree["kommun"], manager=True, email="top@example.se")
    culture = person(tree["kultur"], manager=True, email="kultur@example.se")
    enrol_due(person(tree["hemtjanst"], last_name="Hemma"), course, -timedelta(days=1))
    enrol_due(person(tree["kultur"], last_name="Kulturell"), course, -timedelta(days=1))

    assert compliance.send_manager_digests(now=NOW)["manager_digest"] == 2

    by_recipient = {m.to[0]: m.body for m in mailoutbox}
    assert "Hemma" in by_recipient[top.email] and "Kulturell" in by_recipient[top.email]
    assert "Kulturell" in by_recipient[culture.email]
    assert "Hemma" not in by_recipient[culture.email]


def test_a_manager_of_two_units_sees_both(tree, course, mailoutbox):
    boss = person(tree["hemtjanst"], manager=True)
    Membership.objects.create(user=boss, unit=tree["kultur"])
    enrol_due(person(tree["hemtjanst"], last_name="Hemma"), course, -timedelta(days=1))
    enrol_due(person(tree["kultur"], last_name="Kulturell"), course, -timedelta(days=1))

    compliance.send_manager_digests(now=NOW)

    (message,) = mailoutbox
    assert "Hemma" in message.body and "Kulturell" in message.body
    assert message.body.count("Hemma") == 1


def test_no_digest_when_nobody_is_overdue(tree, course, mailoutbox):
    person(tree["social"], manager=True)
    enrol_due(person(tree["social"]), course, timedelta(days=2))
    done = person(tree["social"])
    _completed(enrol_due(done, course, -timedelta(days=2)))

    assert compliance.send_manager_digests(now=NOW) == {"manager_digest": 0, "failed": 0}
    assert mailoutbox == []
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("change", ["left", "inactive", "no_email", "not_manager"])
def test_no_digest_to_a_manager_who_left_or_cannot_be_reached(tree, course, mailoutbox, change):
    boss = person(tree["social"], manager=change != "not_manager")
    if change == "left":
        LearnerProfile.objects.filter(user=boss).update(leave_date=NOW.date())
    elif change == "inactive":
        boss.is_active = False
        boss.save()
    elif change == "no_email":
        boss.email = ""
        boss.save()
    enrol_due(person(tree["social"]), course, -timedelta(days=1))

    compliance.send_manager_digests(now=NOW)

    assert mailoutbox == []


def test_a_failing_digest_is_retried(tree, course, mailoutbox, settings):
    person(tree["social"], manager=True)
    enrol_due(person(tree["social"]), course, -timedelta(days=1))
    settings.EMAIL_BACKEND = "tests.compliance.test_reminders.FailingBackend"

    assert compliance.send_manager_digests(now=NOW) == {"manager_digest": 0, "failed": 1}
    assert not Reminder.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert compliance.send_manager_digests(now=NOW)["manager_digest"] == 1
    assert len(mailoutbox) == 1


def test_digest_records_are_unique_per_manager_and_week(tree):
    """The database itself refuses a second digest record (the enrolment is NULL)."""
    from django.db import IntegrityError, transaction

    boss = person(tree["social"], manager=True)
    Reminder.objects.create(
        user=boss, kind=Reminder.Kind.MANAGER_DIGEST, key="2026-W47", sent_at=NOW
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            user=boss, kind=Reminder.Kind.MANAGER_DIGEST, key="2026-W47", sent_at=NOW
        )


# --- Schedules -----------------------------------------------------------------------------


def test_the_periodic_jobs_are_scheduled_on_migrate_once_each():
    Schedule.objects.filter(name__in=SCHEDULES).delete()

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    schedules = list(Schedule.objects.filter(name__startswith="compliance:"))
    assert sorted(s.name for s in schedules) == sorted(SCHEDULES)
    by_func = {s.func: s for s in schedules}
    assert set(by_func) == {
        "wagtail_learning.compliance.tasks.send_due_reminders_task",
        "wagtail_learning.compliance.tasks.send_manager_digests_task",
        "wagtail_learning.compliance.tasks.renew_recurring_assignments_task",
        "wagtail_learning.compliance.tasks.purge_expired_records_task",
        "wagtail_learning.compliance.tasks.evaluate_certification_rules_task",
        "wagtail_learning.compliance.tasks.write_compliance_snapshots_task",
    }
    for schedule in schedules:
        assert schedule.schedule_type == Schedule.CRON
        assert schedule.repeats == -1
        assert schedule.next_run is not None
        assert callable(import_string(schedule.func))
    assert (
        by_func["wagtail_learning.compliance.tasks.send_manager_digests_task"].cron == "0 7 * * 1"
    )  # Mondays
    assert (
        by_func["wagtail_learning.compliance.tasks.send_manager_digests_task"].next_run.weekday()
        == 0
    )
    # Daily, after the renewals (05:00) have started new cycles.
    assert (
        by_func["wagtail_learning.compliance.tasks.evaluate_certification_rules_task"].cron
        == "30 5 * * *"
    )
    # The day's compliance snapshots for the charts, after the renewals too.
    assert (
        by_func["wagtail_learning.compliance.tasks.write_compliance_snapshots_task"].cron
        == "45 5 * * *"
    )


def test_a_schedule_changed_in_the_admin_stays_changed():
    schedule = Schedule.objects.get(name=next(iter(SCHEDULES)))
    schedule.cron = "15 4 * * *"
    schedule.save()

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert Schedule.objects.get(pk=schedule.pk).cron == "15 4 * * *"


def test_the_reminder_task_runs_through_the_queue(course, mailoutbox):
    from django_q.tasks import async_task, result

    enrolled(course, due_in=-timedelta(days=1))

    task_id = async_task("wagtail_learning.compliance.tasks.send_due_reminders_task")

    assert result(task_id) == {"due_soon": 0, "overdue": 1, "failed": 0}
    assert len(mailoutbox) == 1
