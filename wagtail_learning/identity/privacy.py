"""What anonymising a person does with what identity keeps about them (decision 0034):
registered through org's PERSONAL_DATA hook (identity and compliance are independent
layers; the person's own record lists the provider links among the data held).

A provider's subject (or SAML NameID) identifies the person at their employer, often an
employee id or an email address, and it outlives the name: anonymising keeps none of it.
"""

from __future__ import annotations

from wagtail import hooks

from wagtail_learning.org.api import PERSONAL_DATA, OnAnonymise

from .models import SamlRequest, SamlSession


def _forget_subjects(*, rows, user, former: list[str], label: str) -> None:
    """Besides the links themselves (deleted by the rule): the SAML sessions the subject's
    NameID opened (kept for the IdP's logout) and a verified assertion not yet used."""
    for provider_id, subject in rows.values_list("provider_id", "subject"):
        SamlSession.objects.filter(provider_id=provider_id, name_id=subject).delete()
        SamlRequest.objects.filter(provider_id=provider_id, identity__name_id=subject).delete()


@hooks.register(PERSONAL_DATA)
def personal_data() -> dict[str, OnAnonymise]:
    return {
        "identity.provideridentity.user": OnAnonymise(
            "the provider's subject identifies the person at their employer; so does the "
            "NameID of their SAML sessions",
            run=_forget_subjects,
            delete=True,
        ),
        "identity.identityconflict.account": OnAnonymise(
            "a refused sign-in that matched the person's account by email keeps the "
            "address, subject and number someone presented: about them, and of no use "
            "once they are anonymised",
            delete=True,
        ),
    }
