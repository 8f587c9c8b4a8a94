"""Assignments, reminders and retention settings move here from `lms` (decision 0004):
state only, the tables keep their names and rows. The content types follow the models; the
`view_compliance` permission moves from the organisation model to Assignment (its groups
keep it); the stored django-q2 schedules point at compliance's tasks."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["assignment", "reminder", "retentionsettings"]
SCHEDULES = {
    "lms: due-date reminders to learners": (
        "compliance: due-date reminders to learners",
        "compliance.tasks.send_due_reminders_task",
    ),
    "lms: weekly digest of overdue training to managers": (
        "compliance: weekly digest of overdue training to managers",
        "compliance.tasks.send_manager_digests_task",
    ),
    "lms: start new cycles of recurring assignments": (
        "compliance: start new cycles of recurring assignments",
        "compliance.tasks.renew_recurring_assignments_task",
    ),
    "lms: retention purge and anonymisation": (
        "compliance: retention purge and anonymisation",
        "compliance.tasks.purge_expired_records_task",
    ),
}


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Schedule = apps.get_model("django_q", "Schedule")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="compliance", model=model).exists():
            ContentType.objects.filter(app_label="lms", model=model).update(
                app_label="compliance"
            )
    assignment = ContentType.objects.filter(app_label="compliance", model="assignment").first()
    if assignment is not None:
        Permission.objects.filter(
            codename="view_compliance", content_type__app_label__in=["org", "lms"]
        ).update(content_type=assignment)
    for old_name, (new_name, func) in SCHEDULES.items():
        if not Schedule.objects.filter(name=new_name).exists():
            Schedule.objects.filter(name=old_name).update(name=new_name, func=func)


def backwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Schedule = apps.get_model("django_q", "Schedule")
    organisation = ContentType.objects.filter(app_label="org", model="organisation").first()
    if organisation is not None:
        Permission.objects.filter(
            codename="view_compliance", content_type__app_label="compliance"
        ).update(content_type=organisation)
    for model in MOVED:
        ContentType.objects.filter(app_label="compliance", model=model).update(app_label="lms")
    for old_name, (new_name, _func) in SCHEDULES.items():
        Schedule.objects.filter(name=new_name).update(
            name=old_name, func=_func.replace("compliance.tasks.", "lms.tasks.")
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("lms", "0005_import_staff_permission"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Reminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('due_soon', 'Due soon'), ('overdue', 'Overdue'), ('manager_digest', "Manager's weekly digest")], max_length=16)),
                        ('key', models.CharField(max_length=16)),
                        ('sent_at', models.DateTimeField()),
                    ],
                    options={
                        'verbose_name': 'reminder',
                        'verbose_name_plural': 'reminders',
                        'db_table': 'lms_reminder',
                    },
                ),
                migrations.CreateModel(
                    name='RetentionSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('watch_ranges_days', models.PositiveIntegerField(blank=True, default=365, help_text='Which seconds of a lecture were played, and when, for finished steps. The watched share and completion are kept. Empty: keep.', null=True, verbose_name='detailed watch history (days)')),
                        ('quiz_answers_days', models.PositiveIntegerField(blank=True, default=730, help_text='The answers chosen in quiz attempts. Scores are kept. Empty: keep.', null=True, verbose_name='quiz answers (days)')),
                        ('reflections_days', models.PositiveIntegerField(blank=True, default=730, help_text="The text of learners' reflections. Completion is kept. Empty: keep.", null=True, verbose_name='reflections (days)')),
                        ('completions_days', models.PositiveIntegerField(blank=True, help_text='Completed modules and courses. Empty: keep (recommended).', null=True, verbose_name='completions (days)')),
                        ('certificates_days', models.PositiveIntegerField(blank=True, help_text='Issued certificates, counted from issue. Empty: keep (recommended).', null=True, verbose_name='certificates (days)')),
                        ('anonymise_leavers_after_days', models.PositiveIntegerField(blank=True, default=730, help_text='Name, email, username and employee number are removed this long after the leave date; completions stay for statistics. Empty: never.', null=True, verbose_name='anonymise people who left after (days)')),
                    ],
                    options={
                        'verbose_name': 'data retention',
                        'verbose_name_plural': 'data retention',
                        'db_table': 'lms_retentionsettings',
                    },
                ),
                migrations.CreateModel(
                    name='Assignment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('audience', models.CharField(choices=[('all', 'Managers and staff'), ('managers', 'Managers only'), ('staff', 'Staff only (not managers)')], default='all', max_length=16, verbose_name='audience')),
                        ('hired_after', models.DateField(blank=True, help_text='Leave empty to include everyone in the unit.', null=True, verbose_name='only people hired after')),
                        ('due_mode', models.CharField(choices=[('fixed', 'On a fixed date'), ('after_assignment', 'N days after being assigned'), ('after_hire', 'N days after the hire date')], default='after_assignment', max_length=20, verbose_name='due')),
                        ('due_date', models.DateField(blank=True, null=True, verbose_name='due date')),
                        ('due_days', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='days to complete')),
                        ('recurrence_months', models.PositiveSmallIntegerField(blank=True, help_text='For recertification. Empty: once.', null=True, verbose_name='repeat every (months)')),
                        ('target_share', models.PositiveSmallIntegerField(default=80, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='target (%)')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.WAGTAIL_PAGE_MODEL, verbose_name='course')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'assignment',
                        'verbose_name_plural': 'assignments',
                        'db_table': 'lms_assignment',
                        'permissions': [('view_compliance', "Can see compliance reports and people's training records")],
                    },
                ),
                migrations.AddField(
                    model_name='assignment',
                    name='unit',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='org.organisation', verbose_name='unit (with everything below it)'),
                ),
                migrations.AddField(
                    model_name='reminder',
                    name='enrolment',
                    field=models.ForeignKey(blank=True, db_column='enrollment_id', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='lms.enrollment'),
                ),
                migrations.AddField(
                    model_name='reminder',
                    name='user',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lms_reminders', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddIndex(
                    model_name='assignment',
                    index=models.Index(fields=['course', 'active'], name='lms_assignment_course'),
                ),
                migrations.AddConstraint(
                    model_name='reminder',
                    constraint=models.UniqueConstraint(fields=('user', 'enrolment', 'kind', 'key'), name='lms_reminder_unique'),
                ),
                migrations.AddConstraint(
                    model_name='reminder',
                    constraint=models.UniqueConstraint(condition=models.Q(('enrolment__isnull', True)), fields=('user', 'kind', 'key'), name='lms_reminder_unique_digest'),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
