"""What anonymising a person does with what external keeps about them (decision 0034):
registered with compliance's hook (compliance imports no external code)."""

from __future__ import annotations

from wagtail import hooks

from wagtail_learning.compliance.api import PERSONAL_DATA, OnAnonymise

_KEEP_ACTOR = "the person as the one who acted; the account no longer names them"


@hooks.register(PERSONAL_DATA)
def personal_data() -> dict[str, OnAnonymise]:
    return {
        "external.externalregistration.user": OnAnonymise(
            "which organisation and course they registered for stays; the link's secret goes",
            clear=("nonce",),
        ),
        "external.externalorganisation.contact_person": OnAnonymise(_KEEP_ACTOR),
        "external.externalorganisation.decided_by": OnAnonymise(_KEEP_ACTOR),
        "external.recognition.consent_by": OnAnonymise(
            "the record of a consent given: who gave it is the account, no longer named"
        ),
        "external.recognition.withdrawn_by": OnAnonymise(_KEEP_ACTOR),
    }
