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

from .models import PackageAttempt


@hooks.register(PERSONAL_DATA)
def personal_data() -> dict[str, OnAnonymise]:
    return {
        "packages.packageattempt.user": OnAnonymise(
            "a package step's status, score and time stay for the reports; the package's "
            "own data (its CMI tree, which may hold answers and comments) is emptied",
            clear=("cmi",),
        ),
    }


@hooks.register(TRAINING_RECORD)
def training_record(*, user) -> dict:
    """The person's package attempts in their own record and its download: results, time
    and the package's own data (the CMI tree: what they answered there)."""
    rows = (
        PackageAttempt.objects.filter(user=user)
        .select_related("package", "module")
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
            }
            for row in rows
        ]
    }


@hooks.register(RECORD_SECTIONS)
def record_section() -> RecordSection:
    # What the package holds (its CMI tree) is the person's own answers: not in HR's view.
    return RecordSection(
        template="packages/record_section.html", own_words={"packages": ("data",)}, order=240
    )
