from django.utils.translation import gettext_lazy as _


class SignInRefused(Exception):
    """A sign-in through a provider that we refuse. `message` is for the person (shown on
    the login page with a 4xx); `reason` is for the log only, never shown."""

    def __init__(self, reason: str, message=None, *, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.message = message or _(
            "The sign-in could not be completed. Please try again from the login page."
        )
        self.status = status
