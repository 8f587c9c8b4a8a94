"""Which providers are offered, and who may no longer use a local password."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from wagtail_learning.org.api import LearnerProfile, privileged_user_ids

from .models import IdentityProvider, ProviderIdentity


def active_providers():
    return IdentityProvider.objects.filter(is_active=True).select_related("organisation")


def provider_for_email(email: str) -> IdentityProvider | None:
    """The active provider that owns the domain of `email`, if any."""
    if "@" not in (email or ""):
        return None
    for provider in active_providers():
        if provider.owns_email(email.strip()):
            return provider
    return None


def password_refused_by(user) -> IdentityProvider | None:
    """The provider this person must use instead of a password, or None.

    A person is the organisation's when their profile's unit is in its tree, they are
    linked to its provider, or their address is in its domains. Accounts with admin
    rights keep their password: no provider may sign them in (provisioning refuses it),
    so a password is their way in."""
    providers = [p for p in active_providers() if p.local_passwords_disabled]
    if not providers or user is None or user.pk is None:
        return None
    if user.pk in privileged_user_ids([user.pk]):
        return None
    profile = LearnerProfile.objects.filter(user=user).select_related("unit").first()
    linked = set(ProviderIdentity.objects.filter(user=user).values_list("provider_id", flat=True))
    for provider in providers:
        if (
            provider.pk in linked
            or provider.owns_email(user.email or "")
            or (
                profile is not None
                and profile.unit is not None
                and profile.unit.path.startswith(provider.organisation.path)
            )
        ):
            return provider
    return None


def password_refused_for_login(username: str) -> IdentityProvider | None:
    """The provider to point to when `username` (as typed) tries a password."""
    username = (username or "").strip()
    if not username:
        return None
    User = get_user_model()
    user = User.objects.filter(
        Q(**{User.USERNAME_FIELD: username}) | Q(email__iexact=username)
    ).first()
    if user is not None:
        return password_refused_by(user)
    provider = provider_for_email(username)
    return provider if provider is not None and provider.local_passwords_disabled else None
