"""Just-in-time provisioning: the account a provider's verified identity signs in as.

In this order, never by display name:
1. the provider's stable subject we linked before (ProviderIdentity);
2. the employee number claim: the profile the staff import made, in this provider's own
   organisation only;
3. the email claim, only when the address is in one of the provider's own domains;
4. otherwise a new account (no unit: units come from the HR import, never from claims).

An account with more than a learner's rights (staff, superuser, any permission or admin
access, a reporting scope) is never linked automatically: a provider, or someone who
controls an address at it, could otherwise take over an administrator. Such a refusal is
logged; a superuser links the account by hand if wanted."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.api import LearnerProfile, privileged_user_ids

from .errors import SignInRefused
from .models import IdentityProvider, ProviderIdentity

logger = logging.getLogger("identity.provisioning")


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a provider vouched for, after its protocol's checks."""

    subject: str
    email: str = ""
    employee_number: str = ""
    given_name: str = ""
    family_name: str = ""


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
    )


def _in_organisation(provider: IdentityProvider, profile) -> bool:
    unit = profile.unit
    root = provider.organisation
    return unit is not None and unit.path.startswith(root.path)


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
        # The staff import adopts an account of this name when the person arrives in it.
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


@transaction.atomic
def sign_in_user(provider: IdentityProvider, identity: VerifiedIdentity):
    """The account for `identity` at `provider`, linked and created as needed. Atomic;
    raises SignInRefused for an inactive or privileged account."""
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
        user, how = None, ""
        if identity.employee_number:
            profile = (
                LearnerProfile.objects.select_related("user", "unit")
                .filter(employee_number=identity.employee_number)
                .first()
            )
            if profile is not None and _in_organisation(provider, profile):
                user, how = profile.user, "employee number"
        if user is None and trusted_email:
            matches = list(User.objects.filter(email__iexact=trusted_email)[:2])
            if len(matches) == 1:
                user, how = matches[0], "email"
            elif matches:
                raise SignInRefused(
                    f"several accounts have {trusted_email}",
                    _("Several accounts have this email address. Ask an administrator."),
                    status=409,
                )
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
    ProviderIdentity.objects.filter(pk=link.pk).update(last_login_at=timezone.now())
    return user
