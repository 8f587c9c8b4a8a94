"""Just-in-time provisioning: the account a provider's verified identity signs in as.

In this order, never by display name nor by username:
1. the provider's stable subject we linked before (ProviderIdentity);
2. the employee number claim: the profile with that number in this provider's own
   organisation (an employee number names a person within one organisation, decision
   0032);
3. the email claim, only when the address is in one of the provider's own domains, and
   only an account of no other organisation: a provider links and creates accounts in the
   organisation it serves. An address that belongs to another organisation's account is a
   conflict, recorded for a superuser (IdentityConflict), and the sign-in is refused;
4. otherwise a new account.

Whoever signs in without a learner profile gets one in the provider's organisation
(`org.api.place_new_person`): in the unit the unit claim names, else in the organisation's
"not yet placed" unit, with the employee number. So a new hire is in HR's lists and
assignments at once, and the next staff import finds them by (organisation, number) and
moves them to their unit.

An account with more than a learner's rights (staff, superuser, any permission or admin
access, a reporting scope) is never linked automatically: a provider, or someone who
controls an address at it, could otherwise take over an administrator. Such a refusal is
logged; a superuser links the account by hand if wanted. Nor is an account linked to a
second subject of the same provider."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail_learning.org.api import (
    LearnerProfile,
    organisations_of,
    place_new_person,
    privileged_user_ids,
)

from .errors import SignInRefused
from .models import IdentityConflict, IdentityProvider, ProviderIdentity

logger = logging.getLogger("wagtail_learning.identity.provisioning")


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a provider vouched for, after its protocol's checks."""

    subject: str
    email: str = ""
    employee_number: str = ""
    given_name: str = ""
    family_name: str = ""
    unit: str = ""  # a unit's code or path, from the provider's unit claim


def _text(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def identity_from_claims(provider: IdentityProvider, claims: dict) -> VerifiedIdentity:
    subject = _text(claims.get(provider.claim_subject or "sub"))
    if not subject:
        raise SignInRefused(f"no subject claim {provider.claim_subject!r}")
    return VerifiedIdentity(
        subject=subject,
        email=_text(claims.get(provider.claim_email)) if provider.claim_email else "",
        employee_number=(
            _text(claims.get(provider.claim_employee_number))
            if provider.claim_employee_number
            else ""
        ),
        given_name=_text(claims.get(provider.claim_given_name)),
        family_name=_text(claims.get(provider.claim_family_name)),
        unit=_text(claims.get(provider.claim_unit)) if provider.claim_unit else "",
    )


class _Conflict(Exception):
    """The verified address belongs to an account of another organisation."""

    def __init__(self, user, organisation_ids: set[int]):
        super().__init__(f"account {user.pk} belongs to organisations {sorted(organisation_ids)}")
        self.user = user
        self.organisation_ids = organisation_ids


def account_organisations(user) -> set[int]:
    """The top-level organisations an account belongs to: its profile's and its units',
    and those of the providers it is linked to."""
    return organisations_of(user) | set(
        ProviderIdentity.objects.filter(user=user).values_list(
            "provider__organisation_id", flat=True
        )
    )


def _refuse_privileged(provider, user, how: str) -> None:
    if user.pk in privileged_user_ids([user.pk]):
        logger.warning(
            "refused: provider %s (%s subject) would take over privileged account %s by %s",
            provider.slug,
            provider.protocol,
            user.pk,
            how,
        )
        raise SignInRefused(
            f"privileged account {user.pk} not linked by {how}",
            _(
                "This account has administrator rights and cannot be signed in to through "
                "an identity provider. Log in with your password, or ask an administrator."
            ),
            status=403,
        )


def _new_username(provider: IdentityProvider, identity: VerifiedIdentity) -> str:
    User = get_user_model()
    if identity.employee_number:
        # A name only: the staff import finds the person by (organisation, number).
        base = f"anst-{identity.employee_number}".lower()
    else:
        digest = hashlib.sha256(f"{provider.pk}:{identity.subject}".encode()).hexdigest()[:12]
        base = f"{provider.slug}-{digest}"
    base = base[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def sign_in_user(provider: IdentityProvider, identity: VerifiedIdentity):
    """The account for `identity` at `provider`, linked, created and placed as needed.
    Atomic; raises SignInRefused for an inactive or privileged account, an account linked
    to another subject, or an address of another organisation's account (recorded as an
    IdentityConflict, which outlives the refused sign-in)."""
    try:
        return _sign_in(provider, identity)
    except _Conflict as conflict:
        _record_conflict(provider, identity, conflict)
        raise SignInRefused(
            f"email conflict: {conflict}",
            _(
                "Your email address belongs to an account of another organisation, so "
                "this sign-in cannot use it. An administrator has been told and will sort "
                "it out; you can also contact your organisation's support."
            ),
            status=409,
        ) from conflict


def _record_conflict(provider, identity: VerifiedIdentity, conflict: _Conflict) -> None:
    from wagtail_learning.org.api import Organisation

    names = Organisation.objects.filter(pk__in=conflict.organisation_ids).order_by("name")
    logger.warning(
        "refused: provider %s would link account %s of organisations %s by email",
        provider.slug,
        conflict.user.pk,
        sorted(conflict.organisation_ids),
    )
    with transaction.atomic():
        record, created = IdentityConflict.objects.select_for_update().get_or_create(
            provider=provider,
            subject=identity.subject,
            defaults={"email": identity.email, "account": conflict.user},
        )
        record.email = identity.email
        record.account = conflict.user
        record.employee_number = identity.employee_number[:64]
        record.account_organisations = ", ".join(n.name for n in names)[:500]
        record.attempts = record.attempts if created else record.attempts + 1
        record.save()


def _match(provider: IdentityProvider, identity: VerifiedIdentity, trusted_email: str):
    """The existing account a first sign-in links to, and how it was found; (None, "")
    for none."""
    if identity.employee_number:
        profile = (
            LearnerProfile.objects.select_related("user")
            .filter(organisation_id=provider.organisation_id)
            .filter(employee_number=identity.employee_number)
            .first()
        )
        if profile is not None:
            return profile.user, "employee number"
    if trusted_email:
        matches = list(get_user_model().objects.filter(email__iexact=trusted_email)[:2])
        if len(matches) > 1:
            raise SignInRefused(
                f"several accounts have {trusted_email}",
                _("Several accounts have this email address. Ask an administrator."),
                status=409,
            )
        if matches:
            others = account_organisations(matches[0]) - {provider.organisation_id}
            if others:
                raise _Conflict(matches[0], others)
            return matches[0], "email"
    return None, ""


@transaction.atomic
def _sign_in(provider: IdentityProvider, identity: VerifiedIdentity):
    User = get_user_model()
    link = (
        ProviderIdentity.objects.select_related("user")
        .filter(provider=provider, subject=identity.subject)
        .first()
    )
    trusted_email = identity.email if provider.owns_email(identity.email) else ""
    if link is not None:
        user = link.user
    else:
        user, how = _match(provider, identity, trusted_email)
        if user is not None:
            _refuse_privileged(provider, user, how)
            if ProviderIdentity.objects.filter(provider=provider, user=user).exists():
                logger.warning(
                    "refused: provider %s sent a new subject for account %s (linked before)",
                    provider.slug,
                    user.pk,
                )
                raise SignInRefused(
                    f"account {user.pk} already linked to another subject",
                    _("This account is already linked to another sign-in. Ask an administrator."),
                    status=409,
                )
        else:
            user = User(
                username=_new_username(provider, identity),
                email=trusted_email,
                first_name=identity.given_name[:150],
                last_name=identity.family_name[:150],
            )
            user.set_unusable_password()
            user.save()
        try:
            with transaction.atomic():
                link = ProviderIdentity.objects.create(
                    provider=provider, subject=identity.subject, user=user
                )
        except IntegrityError as exc:  # the same person's other tab got there first
            link = ProviderIdentity.objects.select_related("user").get(
                provider=provider, subject=identity.subject
            )
            if link.user_id != user.pk:
                raise SignInRefused("concurrent link to another account", status=409) from exc
    if not user.is_active:
        raise SignInRefused(
            f"account {user.pk} inactive",
            _("This account is deactivated."),
            status=403,
        )
    _place(provider, identity, user)
    ProviderIdentity.objects.filter(pk=link.pk).update(last_login_at=timezone.now())
    return user


def _place(provider: IdentityProvider, identity: VerifiedIdentity, user) -> None:
    """A profile in the provider's organisation for someone who has none (not for an
    account with admin rights, which a superuser linked by hand)."""
    if LearnerProfile.objects.filter(user=user).exists():
        return
    if user.pk in privileged_user_ids([user.pk]):
        return
    number = identity.employee_number[:64]
    if (
        number
        and LearnerProfile.objects.filter(
            organisation_id=provider.organisation_id, employee_number=number
        ).exists()
    ):
        number = ""  # someone else's here (they signed in as another account before)
    try:
        with transaction.atomic():
            place_new_person(
                user, provider.organisation, employee_number=number, unit_hint=identity.unit
            )
    except IntegrityError as exc:  # a concurrent sign-in or import placed them first
        raise SignInRefused("concurrent placement", status=409) from exc
