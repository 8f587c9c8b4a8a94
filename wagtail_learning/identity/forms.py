from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks

from .backends import INACTIVE_ACCOUNT_HOOK
from .rules import password_refused_for_login


class LoginForm(AuthenticationForm):
    """The site's password login; people whose organisation turned passwords off are sent
    to its provider with a message (the password backend refuses them in any case)."""

    def clean(self):
        provider = password_refused_for_login(self.data.get("username", ""))
        if provider is not None:
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("%(organisation)s signs its people in through its own login.")
                    % {"organisation": provider.organisation.name},
                    reverse("identity:start", args=[provider.slug]),
                    _("Log in with %(provider)s") % {"provider": provider.display_name},
                ),
                code="use_provider",
            )
        try:
            return super().clean()
        except forms.ValidationError as error:
            raise self._explained(error) from None

    def _explained(self, error: forms.ValidationError) -> forms.ValidationError:
        """The refusal of an inactive account's right password, told by the app that knows
        why it is inactive (INACTIVE_ACCOUNT_HOOK); any other refusal as it was."""
        user = getattr(self.request, "inactive_account", None)
        if user is None or error.code != "invalid_login":
            return error
        for explain in hooks.get_hooks(INACTIVE_ACCOUNT_HOOK):
            message = explain(user)
            if message:
                return forms.ValidationError(message, code="inactive")
        return error


class EmailForm(forms.Form):
    email = forms.EmailField(label="", max_length=254)
