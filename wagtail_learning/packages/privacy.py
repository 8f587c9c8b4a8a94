"""What anonymising a person does with their package attempts (compliance's PERSONAL_DATA):
the results stay for the reports, the CMI tree goes (it may hold what they typed: answers,
comments)."""

from wagtail import hooks

from wagtail_learning.compliance.api import (
    PERSONAL_DATA,
    RECORD_SECTIONS,
    TRAINING_RECORD,
    OnAnonymise,
    RecordSection,
)

from .models import PackageAttempt, UnitAttempt


def _empty_units(*, rows, **_kwargs) -> None:
    UnitAttempt.objects.filter(attempt__in=rows).update(cmi={})


@hooks.register(PERSONAL_DATA)
def personal_data() -> dict[str, OnAnonymise]:
    return {
        "packages.packageattempt.user": OnAnonymise(
            "a package step's status, score and time stay for the reports (and each unit's); "
            "the package's own data (each unit's CMI tree, which may hold answers and "
            "comments, and the cmi5 statements) is emptied",
            clear=("cmi",),
            run=_empty_units,
        ),
    }


@hooks.register(TRAINING_RECORD)
def training_record(*, user) -> dict:
    """The person's package attempts in their own record and its download: results, time
    and the package's own data (the CMI tree: what they answered there)."""
    rows = (
        PackageAttempt.objects.filter(user=user)
        .select_related("package", "module")
        .prefetch_related("units")
        .order_by("started_at", "pk")
    )
    return {
        "packages": [
            {
                "package": row.package.title if row.package else "",
                "module": row.module.title,
                "completion": row.completion_status,
                "success": row.success_status,
                "score": row.score,
                "minutes": round(row.total_seconds / 60, 1),
                "updated": row.updated_at,
                "data": row.cmi,
                "units": [
                    {
                        "unit": unit.unit_id,
                        "completion": unit.completion_status,
                        "success": unit.success_status,
                        "score": unit.score,
                        "minutes": round(unit.total_seconds / 60, 1),
                        "data": unit.cmi,
                    }
                    for unit in row.units.all()
                ],
            }
            for row in rows
        ]
    }


@hooks.register(RECORD_SECTIONS)
def record_section() -> RecordSection:
    # What the package holds (its CMI tree) is the person's own answers: not in HR's view.
    return RecordSection(
        template="packages/record_section.html",
        own_words={"packages": ("data", "units")},
        order=240,
    )
