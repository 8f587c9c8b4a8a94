"""Organisations and people move to `org`, assignments, reminders and retention to
`compliance` (decision 0004); Enrollment is spelt Enrolment. State only: every table keeps
its name and rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="lms", model="enrolment").exists():
        ContentType.objects.filter(app_label="lms", model="enrollment").update(model="enrolment")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="lms", model="enrolment").update(model="enrollment")


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("lms", "0005_import_staff_permission"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="enrollment",
                    name="assignment",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="enrolments",
                        to="compliance.assignment",
                    ),
                ),
                migrations.DeleteModel(name="Reminder"),
                migrations.DeleteModel(name="Assignment"),
                migrations.DeleteModel(name="RetentionSettings"),
                migrations.DeleteModel(name="ReportingScope"),
                migrations.DeleteModel(name="Membership"),
                migrations.DeleteModel(name="LearnerProfile"),
                migrations.DeleteModel(name="Organization"),
                migrations.AlterModelTable(name="enrollment", table="lms_enrollment"),
                migrations.RenameModel(old_name="Enrollment", new_name="Enrolment"),
                migrations.AlterField(
                    model_name="enrolment",
                    name="user",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lms_enrolments",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
