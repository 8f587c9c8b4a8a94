from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .rules import password_refused_by

# A Wagtail hook: functions taking an inactive user who typed their right password, each
# returning what the login page should tell them (e.g. "confirm your address") or None.
# Nobody else learns that the account exists: a wrong password is refused as ever.
INACTIVE_ACCOUNT_HOOK = "identity_inactive_account"


class PasswordBackend(ModelBackend):
    """Django's password backend, refusing the people of an organisation that turned local
    passwords off (on every login form: ours and Wagtail admin's).

    An inactive account is refused as Django's is (the login counts as failed, so the
    throttling counts it); when its password was right, the account is left on the request
    as `request.inactive_account` for the login form to explain (INACTIVE_ACCOUNT_HOOK).
    One password hash in every case, as in ModelBackend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        users = get_user_model()
        if username is None:
            username = kwargs.get(users.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = users._default_manager.get_by_natural_key(username)
        except users.DoesNotExist:
            users().set_password(password)  # as long as a wrong password takes
            return None
        if not user.check_password(password):
            return None
        if not self.user_can_authenticate(user):
            if request is not None:
                request.inactive_account = user
            return None
        if password_refused_by(user) is not None:
            return None
        return user


class ProviderBackend(ModelBackend):
    """The backend recorded in the session of someone signed in through a provider.
    It authenticates nobody itself (the sign-in views do, then call login()); it keeps the
    session valid and answers permission questions like ModelBackend."""

    def authenticate(self, request, **kwargs):
        return None
