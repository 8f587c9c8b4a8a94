"""The default permissions of the two models renamed in 0006 (Organization -> Organisation,
Enrollment -> Enrolment) kept their old codenames, so `create_permissions` added new ones
and every group or user granted the old ones lost them (found by
scripts/check_migration_data.py). Rename the codenames; on a database migrated before
this fix, where the new ones exist already, hand the grants over to them."""

from django.conf import settings
from django.db import migrations

RENAMED = [("org", "organisation", "organization"), ("lms", "enrolment", "enrollment")]
ACTIONS = ("add", "change", "delete", "view")


def _pairs(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, model, old_model in RENAMED:
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        if content_type is not None:
            for action in ACTIONS:
                yield content_type, f"{action}_{old_model}", f"{action}_{model}"


def _rename(apps, *, forwards):
    Permission = apps.get_model("auth", "Permission")
    for content_type, old, new in _pairs(apps):
        from_codename, to_codename = (old, new) if forwards else (new, old)
        stale = Permission.objects.filter(content_type=content_type, codename=from_codename)
        stale = stale.first()
        if stale is None:
            continue
        current = Permission.objects.filter(content_type=content_type, codename=to_codename)
        current = current.first()
        if current is None:
            stale.codename = to_codename
            stale.save(update_fields=["codename"])
            continue
        for group in stale.group_set.all():
            group.permissions.add(current)
        for user in stale.user_set.all():
            user.user_permissions.add(current)
        stale.delete()


def forwards(apps, schema_editor):
    _rename(apps, forwards=True)


def backwards(apps, schema_editor):
    _rename(apps, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("lms", "0006_move_organisations_and_compliance"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
