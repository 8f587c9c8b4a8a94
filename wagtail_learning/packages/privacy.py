"""What anonymising a person does with their package attempts (compliance's PERSONAL_DATA):
the results stay for the reports, the CMI tree goes (it may hold what they typed: answers,
comments)."""

from wagtail import hooks

from wagtail_learning.compliance.api import PERSONAL_DATA, OnAnonymise


@hooks.register(PERSONAL_DATA)
def personal_data() -> dict[str, OnAnonymise]:
    return {
        "packages.packageattempt.user": OnAnonymise(
            "a package step's status, score and time stay for the reports; the package's "
            "own data (its CMI tree, which may hold answers and comments) is emptied",
            clear=("cmi",),
        ),
    }
