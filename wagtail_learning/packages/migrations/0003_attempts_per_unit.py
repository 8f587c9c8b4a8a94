"""Packages and attempts from before units (decision 0047): a package's one launchable unit
becomes its first unit, and each attempt's CMI data (SCORM: the tree; cmi5: the AU's verbs
and state documents) becomes that unit's, with its results. Nothing is dropped: the
reverse puts the first unit's data back on the attempt."""

from django.db import migrations

# The identifier a unit gets when the package was read before units were kept: the
# manifest's item identifier was not stored then.
FIRST_UNIT = "1"
CMI5_UNIT_KEYS = ("verbs", "state")


def au_unit(au) -> dict:
    return {
        "id": au["id"], "title": au.get("title", ""), "path": au["path"],
        "query": au.get("query", ""), "kind": "au", "depth": 0, "parents": [],
        "mastery_score": au.get("mastery_score"), "launch_data": "",
        "move_on": au.get("move_on", "NotApplicable"),
    }  # fmt: skip


def units_of(package) -> list[dict]:
    if package.standard == "cmi5":
        return [au_unit(au) for au in package.aus]
    return [
        {
            "id": FIRST_UNIT, "title": package.title, "path": package.launch_path,
            "query": package.launch_query, "kind": "sco", "depth": 0, "parents": [],
            "mastery_score": package.mastery_score, "launch_data": package.launch_data,
        }
    ]  # fmt: skip


def units_for_packages(apps, schema_editor):
    ContentPackage = apps.get_model("packages", "ContentPackage")
    PackageAttempt = apps.get_model("packages", "PackageAttempt")
    UnitAttempt = apps.get_model("packages", "UnitAttempt")
    for package in ContentPackage.objects.filter(units=[]):
        package.units = units_of(package)
        package.save(update_fields=["units"])
    attempts = PackageAttempt.objects.filter(package__isnull=False, units__isnull=True)
    for attempt in attempts.select_related("package"):
        unit = attempt.package.units[0]
        if attempt.package.standard == "cmi5":
            cmi = {key: attempt.cmi[key] for key in CMI5_UNIT_KEYS if key in attempt.cmi}
            kept = {k: v for k, v in attempt.cmi.items() if k not in CMI5_UNIT_KEYS}
        else:
            cmi, kept = attempt.cmi, {}
        UnitAttempt.objects.create(
            attempt=attempt,
            unit_id=unit["id"],
            cmi=cmi,
            completion_status=attempt.completion_status,
            success_status=attempt.success_status,
            score=attempt.score,
            total_seconds=attempt.total_seconds,
            last_session_seconds=attempt.last_session_seconds,
            commits=attempt.commits,
        )
        attempt.cmi = kept
        attempt.current_unit = unit["id"]
        attempt.save(update_fields=["cmi", "current_unit"])


def attempts_whole_again(apps, schema_editor):
    """Back: the first unit's data on the attempt again (the one unit played before)."""
    PackageAttempt = apps.get_model("packages", "PackageAttempt")
    UnitAttempt = apps.get_model("packages", "UnitAttempt")
    for attempt in PackageAttempt.objects.filter(package__isnull=False).select_related("package"):
        units = attempt.package.units or []
        first = UnitAttempt.objects.filter(
            attempt=attempt, unit_id=units[0]["id"] if units else FIRST_UNIT
        ).first()
        if first is None:
            continue
        if attempt.package.standard == "cmi5":
            attempt.cmi = {**attempt.cmi, **first.cmi}
        else:
            attempt.cmi = first.cmi
        attempt.save(update_fields=["cmi"])


class Migration(migrations.Migration):
    dependencies = [("packages", "0002_units")]

    operations = [migrations.RunPython(units_for_packages, attempts_whole_again)]
