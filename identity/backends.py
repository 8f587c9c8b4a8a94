from django.contrib.auth.backends import ModelBackend

from .rules import password_refused_by


class PasswordBackend(ModelBackend):
    """Django's password backend, refusing the people of an organisation that turned local
    passwords off (on every login form: ours and Wagtail admin's)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and password_refused_by(user) is not None:
            return None
        return user


class ProviderBackend(ModelBackend):
    """The backend recorded in the session of someone signed in through a provider.
    It authenticates nobody itself (the sign-in views do, then call login()); it keeps the
    session valid and answers permission questions like ModelBackend."""

    def authenticate(self, request, **kwargs):
        return None
