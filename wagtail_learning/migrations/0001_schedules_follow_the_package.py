"""The apps moved under wagtail_learning (decision 0036): the periodic jobs a site already has
name their task by its old dotted path ("compliance.tasks...."), which no longer imports.
Rewrite them; the jobs keep their times, as an administrator may have changed those."""

from django.db import migrations

APPS = (
    "accounts", "certificates", "compliance", "courses", "events", "external", "hr",
    "identity", "lms", "modules", "org",
)
PACKAGE = "wagtail_learning."


def forwards(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for schedule in Schedule.objects.all():
        if schedule.func.split(".", 1)[0] in APPS:
            schedule.func = PACKAGE + schedule.func
            schedule.save(update_fields=["func"])


def backwards(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for schedule in Schedule.objects.filter(func__startswith=PACKAGE):
        rest = schedule.func[len(PACKAGE) :]
        if rest.split(".", 1)[0] in APPS:
            schedule.func = rest
            schedule.save(update_fields=["func"])


class Migration(migrations.Migration):
    dependencies = [("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]

    operations = [migrations.RunPython(forwards, backwards)]
