"""Employee numbers are unique per top-level organisation, not platform-wide (decision 0032).

Every profile gets the organisation its unit lies in (the root of the unit's path). A
profile with no unit (its unit was deleted) gets the one organisation its memberships lie
in, if they lie in exactly one; otherwise it stays without one: an import finds it no
more, and it keeps its number (no two profiles shared a number before this migration).
"""

from django.db import migrations

STEPLEN = 4  # treebeard's path step of Organisation


def fill_organisations(apps, schema_editor):
    Organisation = apps.get_model("org", "Organisation")
    LearnerProfile = apps.get_model("org", "LearnerProfile")
    Membership = apps.get_model("org", "Membership")
    root_by_path = dict(Organisation.objects.filter(depth=1).values_list("path", "pk"))
    path_by_unit = dict(Organisation.objects.values_list("pk", "path"))

    def root_of(unit_id):
        return root_by_path.get(path_by_unit[unit_id][:STEPLEN])

    by_root: dict[int, list[int]] = {}
    unplaced: list[tuple[int, int]] = []  # (profile id, user id)
    for pk, user_id, unit_id in LearnerProfile.objects.values_list("pk", "user_id", "unit_id"):
        if unit_id is None:
            unplaced.append((pk, user_id))
        else:
            by_root.setdefault(root_of(unit_id), []).append(pk)
    for pk, user_id in unplaced:
        roots = {
            root_of(unit_id)
            for unit_id in Membership.objects.filter(user_id=user_id).values_list(
                "unit_id", flat=True
            )
        }
        if len(roots) == 1:
            by_root.setdefault(roots.pop(), []).append(pk)
    for root_id, pks in by_root.items():
        for start in range(0, len(pks), 500):
            LearnerProfile.objects.filter(pk__in=pks[start : start + 500]).update(
                organisation_id=root_id
            )


class Migration(migrations.Migration):
    dependencies = [("org", "0005_employee_numbers_per_organisation")]

    operations = [
        migrations.RunPython(fill_organisations, migrations.RunPython.noop, elidable=False),
    ]
